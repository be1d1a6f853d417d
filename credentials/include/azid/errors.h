#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace azid {

// The three failure kinds of azure.identity. A chain continues after Unavailable (and after
// AuthenticationRequired, which is a kind of unavailability) and stops on anything else.
enum class ErrorKind {
    CredentialUnavailable,  // could not even try: configuration missing, nothing cached, no keychain
    ClientAuthentication,   // tried and failed: the authority refused, the user gave up, a timeout
    AuthenticationRequired, // user interaction is needed and automatic authentication is disabled
};

struct AuthError
{
    ErrorKind kind = ErrorKind::ClientAuthentication;
    QString message;       // what went wrong and what to do, for a person
    QString oauthError;    // the "error" field of the authority's answer, e.g. invalid_grant
    QString suberror;      // Entra's "suberror", e.g. basic_action
    QList<int> errorCodes; // AADSTS codes
    QString correlationId; // the client-request-id that the authority echoed
    QString traceId;
    int httpStatus = 0; // 0 when no HTTP answer was involved
    QStringList scopes; // AuthenticationRequired: what to pass to authenticate()
    QString claims;     // AuthenticationRequired / claims challenges: JSON text
    // azure.identity's ValueError: the credential was made with a configuration it can never work
    // with (an empty secret, an http authority, an invalid tenant id or AZURE_TOKEN_CREDENTIALS, ...).
    // Its kind is ClientAuthentication, so that a chain stops on it instead of passing over it; the
    // credential reports it at once from configurationError() (and createCredential()), and every
    // request fails with it.
    bool invalidConfiguration = false;

    bool isUnavailable() const { return kind != ErrorKind::ClientAuthentication; }
    bool hasCode(int code) const { return errorCodes.contains(code); }

    // One line: "<kind>: <message> [AADSTS50076] (correlation id: ...)".
    QString toString() const;
    static QString kindName(ErrorKind kind);

    static AuthError unavailable(QString message);
    static AuthError authentication(QString message);
    static AuthError authenticationRequired(QStringList scopes, QString claims, QString message = {});
    static AuthError configuration(QString message);
    // The same error as a configuration error (invalidConfiguration, kind ClientAuthentication).
    AuthError asConfigurationError() const;
};

} // namespace azid
