#pragma once

#include "azid/authenticationrecord.h"
#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/tokencache.h"
#include "azid/tokencachepersistence.h"
#include "azid/tokencredential.h"

#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace azid {

struct SharedTokenCacheCredentialOptions
{
    QString authority; // host or https URL; empty: AZURE_AUTHORITY_HOST or the public cloud
    // Without a record: selects the account (the tenant part of its home account id). With one: the
    // tenant to authenticate in (default: the record's).
    QString tenantId;
    std::optional<AuthenticationRecord> authenticationRecord;
    bool disableInstanceDiscovery = false;
    QUrl instanceDiscoveryEndpoint;
    HttpOptions http;
    // The shared cache: tokens requested without CAE, and with CAE (empty: the same cache). The
    // keychain module loads and saves it (SharedTokenCache; on Linux the libsecret item azure.identity
    // uses). No cache: the credential is unavailable.
    std::shared_ptr<TokenCache> cache;
    std::shared_ptr<TokenCache> caeCache;
    // Without `cache`: the persistent cache these options name (default: "msal.cache", the one
    // Microsoft developer tools share), through the installed TokenCachePersistence factory (the
    // keychain module's enableKeychainTokenCachePersistence()), which then also reloads and saves it.
    // With neither a cache nor a factory the credential is unavailable.
    std::optional<TokenCachePersistenceOptions> cachePersistenceOptions;
    // Brings the cache up to date before each request (as msal-extensions reloads a changed cache);
    // a failure makes the credential unavailable ("Shared token cache unavailable").
    std::function<QFuture<VoidResult>()> reloadCache;
    // Persists the cache after a refresh. The token's future finishes only once the save has, so a
    // process may exit as soon as it has the token. A failed (or abandoned) save is logged and the
    // token still returned; a caller that wants to show the failure has it from this function's own
    // result.
    std::function<QFuture<VoidResult>()> saveCache;
    const Clock *clock = nullptr;
};

// azure.identity's SharedTokenCacheCredential: tokens for an account that signed in with a Microsoft
// developer tool (or azure.identity with a persistent cache, or `azid-cli login --shared-cache`), from
// the cache they share. Silent only: a cached access token, else a refresh with the account's cached
// refresh token; it never signs anyone in.
//
// Account choice, as azure.identity: without a record, the accounts whose environment is the
// authority's host (or an alias of it) and that have a family (FOCI) refresh token, filtered by
// `username` (exact) and options.tenantId; one must remain. Several or none give a
// CredentialUnavailable error that says so. With options.authenticationRecord, exactly that account.
// Refreshes use the developer sign-on client (04b07795-...) and the "organizations" tenant (the
// record's client and tenant with a record).
//
// Errors as azure.identity's SharedTokenCacheCredential raises them: CredentialUnavailable for an
// unavailable cache, no or several accounts, or no refresh token ("Token acquisition failed for user
// ..."); the authority's refusal of a refresh is a ClientAuthentication error (azure.identity raises
// ClientAuthenticationError; DefaultAzureCredential turns it into unavailability).
//
// Differs from azure.identity in one point: the cache's "environment" is compared with the host
// without a port, as MSAL writes it (azure.identity compares the host:port of the authority, so for an
// authority with a port it never finds what MSAL itself wrote).
class SharedTokenCacheCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    explicit SharedTokenCacheCredential(const QString &username = {},
                                        const SharedTokenCacheCredentialOptions &options = {},
                                        QObject *parent = nullptr);
    ~SharedTokenCacheCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    std::optional<AuthError> configurationError() const override;
    QString name() const override { return QStringLiteral("SharedTokenCacheCredential"); }

    // Whether the shared cache exists on this platform (Linux, macOS, Windows, as azure.identity).
    static bool supported();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace azid
