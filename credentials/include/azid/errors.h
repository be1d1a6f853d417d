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

// Why no usable answer arrived, for code that decides what to tell the person or whether waiting
// can help. None when an authority answered and refused (its codes then say why), or when nothing
// more specific is known.
enum class ErrorReason {
    None,
    Transport,     // no HTTP answer: the host was not found, the connection was refused or reset
    Tls,           // the TLS handshake failed, usually a certificate that is not trusted
    Proxy,         // the proxy could not be reached, refused the connection or wants credentials
    Timeout,       // no HTTP answer within the time allowed (a keychain's: Storage, KeychainTimeout)
    Protocol,      // an answer that the protocol does not allow (not JSON, a field missing)
    Storage,       // the keychain or the cache files; AuthError::storage says which failure
    Configuration, // a local setting that cannot work (an unreadable CA bundle, an invalid option)
};

// Why storage failed, for code that reacts (retry later, offer memory-only mode, ask to unlock)
// rather than only show the message. Every error the keychain module returns carries one, with the
// reason ErrorReason::Storage; errors from elsewhere carry None. The keychain module's
// storagefailure.h names them and says which are transient.
enum class StorageFailure {
    None,                  // not a storage error
    KeychainUnavailable,   // no Secret Service / keychain reachable (no D-Bus session, no daemon)
    KeychainLocked,        // the keychain (its default collection) is locked and was not unlocked
    KeychainAccessDenied,  // the keychain refused: the user denied its prompt, or a policy forbids it
    KeychainTimeout,       // the keychain did not answer in time (often: a prompt nobody answers)
    KeychainFailed,        // any other keychain error
    ItemTooLarge,          // an item over SecretStore::MaxItemSize was refused
    EncryptionUnavailable, // no keychain, and unencrypted storage was not allowed
    CacheDamaged,          // a cache that cannot be decrypted or parsed (kept aside, never deleted)
    CacheKeyMissing,       // the cache file exists but its key is not in the keychain (kept aside)
    CacheLocked,           // another process holds the cache's lock file longer than the timeout
    FileError,             // reading or writing a file failed (permissions, disk full, ...)
    InvalidName,           // an invalid profile or cache name
    NotPersisted,          // memory-only mode: nothing is read from or written to storage
};

struct AuthError
{
    ErrorKind kind = ErrorKind::ClientAuthentication;
    ErrorReason reason = ErrorReason::None;        // why, for code; never read from the message
    StorageFailure storage = StorageFailure::None; // which storage failure, with reason Storage only
    QString message;                               // what went wrong and what to do, for a person
    QString oauthError;    // the "error" field of the authority's answer, e.g. invalid_grant
    QString suberror;      // Entra's "suberror", e.g. basic_action; nothing else is kept here
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
    // The same error as a configuration error (invalidConfiguration, kind ClientAuthentication,
    // reason Configuration).
    AuthError asConfigurationError() const;
    // The same error with this reason (and no StorageFailure: storage errors are made by the
    // keychain module's storageError()).
    AuthError withReason(ErrorReason value) const;
};

} // namespace azid
