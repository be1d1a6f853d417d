#pragma once

#include "azid/authenticationrecord.h"
#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/tokencache.h"
#include "azid/tokencachepersistence.h"
#include "azid/tokencredential.h"

#include <QObject>
#include <QUrl>

#include <memory>
#include <optional>

namespace azid {

namespace detail {
class PublicClient;
struct TokenOutcome;
struct InteractiveRequest;
} // namespace detail

// Options shared by the user sign-in credentials (azure.identity's keyword arguments).
struct InteractiveCredentialOptions
{
    QString authority; // host or https URL; empty: AZURE_AUTHORITY_HOST or the public cloud
    QString tenantId;  // empty: "organizations"
    QString clientId;  // empty: 04b07795-8ddb-461a-bbee-02f9e1bf7b46 (developer sign-on)
    std::optional<AuthenticationRecord> authenticationRecord;
    bool disableAutomaticAuthentication = false;
    QStringList additionallyAllowedTenants; // "*" allows any tenant
    bool disableInstanceDiscovery = false;
    HttpOptions http;
    std::shared_ptr<TokenCache> cache;    // where tokens go; shared between credentials to share sign-ins
    std::shared_ptr<TokenCache> caeCache; // tokens requested with enable_cae
    // azure.identity's cache_persistence_options: without `cache`, tokens go to the persistent cache
    // it names (see TokenCachePersistence; the keychain module provides it), loaded before and saved
    // after each request and sign-in. Unset: a cache in memory.
    std::optional<TokenCachePersistenceOptions> cachePersistenceOptions;
    const Clock *clock = nullptr;   // tests move time; default: the system clock
    QUrl instanceDiscoveryEndpoint; // where unknown hosts are validated; default: the public cloud's
    // azure.identity's enable_support_logging: personal data (who signed in, in which tenant) reaches the
    // log only when this is on. For troubleshooting.
    bool enableSupportLogging = false;
};

// The base of InteractiveBrowserCredential, DeviceCodeCredential and UsernamePasswordCredential:
// silent acquisition for the account it authenticated (or was given), then the interactive flow
// unless automatic authentication is disabled.
class InteractiveCredential : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    ~InteractiveCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    std::optional<AuthError> configurationError() const override;

    // Runs the interactive flow and returns the record of the account that signed in. Without
    // scopes, asks for Azure Resource Manager's scope of the authority's cloud.
    QFuture<Result<AuthenticationRecord>> authenticate(const QStringList &scopes = {},
                                                       const QString &claims = {});
    // Signs in for the record alone: only the OpenID scopes (openid, profile, offline_access), no
    // resource. For a program that needs no token yet, against an authority whose resource scopes it
    // does not know (azid-cli login without --scope). The refresh token it keeps serves later requests.
    QFuture<Result<AuthenticationRecord>> authenticateIdentity(const QString &claims = {});

    std::optional<AuthenticationRecord> authenticationRecord() const;
    QString clientId() const;
    TokenCache &tokenCache() const;

protected:
    InteractiveCredential(const InteractiveCredentialOptions &options, QObject *parent);
    detail::PublicClient &client() const;
    // The flow itself: browser, device code or password.
    virtual QFuture<Result<detail::TokenOutcome>> requestToken(const detail::InteractiveRequest &request) = 0;
    // azure.identity's ValueErrors at construction become errors of every request.
    void setConfigurationError(const AuthError &error);

private:
    // getTokenInfo() without the persistent cache's load and save.
    QFuture<TokenResult> tokenSilentlyOrInteractively(const TokenRequestOptions &options);
    QFuture<Result<detail::TokenOutcome>> runInteractive(const detail::InteractiveRequest &request);
    QFuture<Result<AuthenticationRecord>> authenticateFor(const QStringList &scopes, const QString &claims);
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace azid
