/**
 * OAuth 2.0 access tokens for the relay: obtains them from a token endpoint with the client
 * credentials or refresh token grant (RFC 6749 §4.4, §6), caches them until shortly before they
 * expire, and never lets a secret reach a log line or an exception message.
 */
package io.postwire.oauth;
