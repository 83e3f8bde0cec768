/**
 * ringkv net module.
 */
package io.ringkv.net;
