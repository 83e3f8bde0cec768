/**
 * ringkv loadgen module.
 */
package io.ringkv.loadgen;
