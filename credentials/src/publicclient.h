#pragma once

#include "authority.h"
#include "azid/accesstoken.h"
#include "azid/authenticationrecord.h"
#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/result.h"
#include "azid/tokencache.h"
#include "futures.h"
#include "httpclient.h"
#include "interactiverequest.h"
#include "oauth.h"

#include <QFuture>
#include <QHash>
#include <QObject>

#include <functional>
#include <memory>

namespace azid::detail {

using FormFields = QList<QPair<QString, QString>>;
// The fields that authenticate a confidential client (client_secret, or client_assertion and its
// type) in a request to `tokenEndpoint`; made anew for every request, as an assertion is single-use.
using ClientCredentialFields = std::function<Result<FormFields>(const QUrl &tokenEndpoint)>;

struct ClientConfiguration
{
    QString authority; // host or https URL; empty: AZURE_AUTHORITY_HOST or the public cloud
    QString tenantId;
    QString clientId;
    bool disableInstanceDiscovery = false;
    QUrl instanceDiscoveryEndpoint;
    HttpOptions http;
    std::shared_ptr<TokenCache> cache;    // tokens requested without CAE
    std::shared_ptr<TokenCache> caeCache; // tokens requested with enable_cae (kept apart, as azure.identity)
    const Clock *clock = nullptr;
    ClientCredentialFields clientCredential; // empty: a public client
    QString region; // resolved Azure region of client-credentials requests; empty: the global endpoint
};

// A token and who it belongs to, from one token response.
struct TokenOutcome
{
    AccessTokenInfo token;
    QString homeAccountId;
    QString username;
    QString tenantId;
    QString issuerAuthority; // host[:port] of the id token's issuer
    QString clientId;
    bool hasIdentity = false;

    Result<AuthenticationRecord> record() const;
};

struct TokenGrant
{
    QString tenant;
    QStringList scopes;                  // the resource scopes asked for (undecorated)
    QList<QPair<QString, QString>> form; // grant-specific fields
    QList<QPair<QByteArray, QByteArray>> headers;
    QString claims; // merged with capabilities already
    bool cae = false;
    QString accountSource; // grant type recorded in the Account entry; empty: no account entry
    QString expectedNonce; // code flow: the id token must carry it
    QString context = QStringLiteral("Authentication failed");
    bool userToken = true;   // adds the OIDC scopes and client_info
    bool cacheResult = true; // false: the caller caches the token (app-only credentials)
    bool regional = false;   // the client credentials grant: sent to the regional token service if any
};

// A user sign-in's grant for `request`: its tenant, scopes, claims and CAE; `accountSource` (the
// grant type) goes into the cache's account entry.
TokenGrant userGrant(const InteractiveRequest &request, const QString &accountSource);

// What MSAL's PublicClientApplication does for azure.identity: endpoints, token requests, the
// cache, silent acquisition. Lives on one thread; every method returns at once.
class PublicClient : public QObject
{
    Q_OBJECT
public:
    explicit PublicClient(ClientConfiguration configuration, QObject *parent = nullptr);

    // Configuration errors (bad authority, tenant) that make every request fail.
    const std::optional<AuthError> &configurationError() const { return m_configurationError; }

    QFuture<Result<AuthorityEndpoints>> endpoints(const QString &tenant);
    QFuture<Result<TokenOutcome>> requestToken(TokenGrant grant);
    // The authority's endpoints for `tenant` (finding them validates the authority before anything is
    // sent to it), then `flow` with them, if `context` still lives. Not finding them is the outcome.
    template <typename Flow>
    QFuture<Result<TokenOutcome>> withEndpoints(const QString &tenant, QObject *context, Flow flow);

    // The cached token, or a refresh with the account's refresh token. Fails with
    // AuthenticationRequired when only the user can help.
    QFuture<Result<TokenOutcome>> acquireSilent(const QString &tenant, const QString &homeAccountId,
                                                const QString &environment, const QStringList &scopes,
                                                const QString &claims, bool cae);

    QString clientId() const { return m_config.clientId; }
    QString tenantId() const { return m_config.tenantId; }
    QString environment() const;
    const Clock &clock() const { return *m_config.clock; }
    HttpClient *http() const { return m_http; }
    const AuthorityHost &host() const;
    TokenCache &cache(bool cae) const { return cae ? *m_config.caeCache : *m_config.cache; }

private:
    Result<TokenOutcome> handleTokenResponse(const TokenGrant &grant, const AuthorityEndpoints &endpoints,
                                             const HttpResponse &response, qint64 requestTime);
    QFuture<Result<TokenOutcome>> refresh(const QString &tenant, const CachedRefreshToken &refreshToken,
                                          const QStringList &scopes, const QString &claims, bool cae);

    ClientConfiguration m_config;
    std::optional<AuthError> m_configurationError;
    HttpClient *m_http;
    AuthorityResolver *m_resolver = nullptr;
    // Silent requests in flight, by account, tenant, scopes, claims and CAE: callers share one.
    QHash<QString, std::shared_ptr<Broadcast<Result<TokenOutcome>>>> m_inFlight;
};

template <typename Flow>
QFuture<Result<TokenOutcome>> PublicClient::withEndpoints(const QString &tenant, QObject *context, Flow flow)
{
    return endpoints(tenant)
        .then(QtFuture::Launch::Sync,
              guarded(context,
                      [flow = std::move(flow)](
                          const Result<AuthorityEndpoints> &found) mutable -> QFuture<Result<TokenOutcome>> {
                          if (!found.ok())
                              return ready(Result<TokenOutcome>(found.error()));
                          return flow(found.value());
                      }))
        .unwrap();
}

} // namespace azid::detail
