#pragma once

#include "azid/clock.h"
#include "azid/confidentialclientoptions.h"
#include "azid/tokencache.h"
#include "azid/tokencachepersistence.h"
#include "azid/tokencredential.h"

#include <QObject>

#include <memory>

namespace azid {

namespace detail {
struct AppTokenRequest;
class ConfidentialApp;
} // namespace detail

// Where a credential's tokens sit in the MSAL-format cache: the authority host, the client id and
// the tenant (for a managed identity, the identity and "managed_identity").
struct AppTokenCacheKey
{
    QString environment;
    QString clientId;
    QString realm;
    // Empty for app-only tokens. OnBehalfOfCredential: a hash of the user assertion, so that tokens
    // obtained for one user are never found for another.
    QString homeAccountId;
};

// The base of credentials that get app-only tokens (client secret, certificate, assertion, managed
// identity, workload identity, pipelines): azure.identity's GetTokenMixin. A cached token is used
// until it is within 5 minutes of expiry or past its refresh_on; then a new one is requested (at
// most every 30 s), and while that fails the still-valid token is returned. Requests for one key
// that arrive while one is running share it.
class AppTokenCredential : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    ~AppTokenCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) final;
    std::optional<AuthError> configurationError() const override;
    TokenCache &tokenCache() const;

protected:
    AppTokenCredential(std::shared_ptr<TokenCache> cache, const Clock *clock, QObject *parent);

    // The request to the token service for a token not in the cache. Its result is stored under
    // cacheKey(request.tenant) by this class; subclasses do not touch the cache.
    virtual QFuture<TokenResult> requestToken(const detail::AppTokenRequest &request) = 0;
    virtual AppTokenCacheKey cacheKey(const QString &tenant) const = 0;
    // Checks scopes and tenant before anything else; the tenant to request the token from (empty:
    // the credential's own) or why the request cannot be made. Default: at least one scope.
    virtual Result<QString> validate(const TokenRequestOptions &options) const;

    const Clock &clock() const;
    // azure.identity's ValueErrors at construction become errors of every request.
    void setConfigurationError(const AuthError &error);
    // Tokens go to the caches of `options` (cache_persistence_options), loaded before and saved after
    // each request; nothing without options.
    void usePersistentCache(const std::optional<TokenCachePersistenceOptions> &options);

private:
    TokenCache &cacheFor(bool cae) const;
    // getTokenInfo() without the persistent cache's load and save.
    QFuture<TokenResult> tokenFromCacheOrNetwork(const TokenRequestOptions &options);
    // What a request that went to the token service gives its callers; caches a new token.
    TokenResult answered(const TokenResult &result, const AppTokenCacheKey &key,
                         const detail::AppTokenRequest &request, const TokenRequestOptions &options,
                         const std::optional<CachedAccessToken> &cached);
    struct Private;
    std::unique_ptr<Private> d;
};

// The base of the credentials whose tokens an application registered with the authority (a
// confidential client) requests with a client credential: ClientSecretCredential,
// CertificateCredential, ClientAssertionCredential, WorkloadIdentityCredential, OnBehalfOfCredential.
// The application's tenant rules check each request and its cache key files the tokens; a token is
// requested with the client credentials grant unless the subclass sends another.
class ConfidentialClientCredential : public AppTokenCredential
{
    Q_OBJECT
public:
    ~ConfidentialClientCredential() override;

protected:
    ConfidentialClientCredential(const ConfidentialClientOptions &options, QObject *parent);
    // The application the subclass made in its constructor (owned by this credential); its
    // configuration error becomes every request's.
    void setApp(std::unique_ptr<detail::ConfidentialApp> app);
    detail::ConfidentialApp &app() const;

    QFuture<TokenResult> requestToken(const detail::AppTokenRequest &request) override;
    AppTokenCacheKey cacheKey(const QString &tenant) const override;
    Result<QString> validate(const TokenRequestOptions &options) const override;

private:
    std::unique_ptr<detail::ConfidentialApp> m_app;
};

} // namespace azid
