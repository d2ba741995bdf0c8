package io.postwire.oauth;

/** How the client proves its identity to the token endpoint (RFC 6749 §2.3.1). */
public enum ClientAuthentication {
    /** {@code client_id} and {@code client_secret} as form fields, as the Microsoft identity platform expects. */
    FORM,
    /** HTTP Basic with the form-urlencoded id and secret; the form then carries neither. */
    BASIC
}
