/**
 * ringkv replication module.
 */
package io.ringkv.replication;
