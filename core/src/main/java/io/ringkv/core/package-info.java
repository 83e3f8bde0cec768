/**
 * ringkv core module.
 */
package io.ringkv.core;
