/**
 * ringkv bench module.
 */
package io.ringkv.bench;
