#include "publicclient.h"

#include "azid/authorityhosts.h"
#include "futures.h"
#include "logging.h"

#include <QJsonArray>
#include <QUrl>

namespace azid::detail {

namespace {

constexpr qint64 kLongLivedToken = 7200; // seconds: tokens refreshed half-way through their lifetime

// When a token the authority issued at requestTime expires and is to be refreshed.
void setLifetime(AccessTokenInfo &token, const TokenResponse &r, qint64 requestTime)
{
    if (r.expiresIn > 0)
        token.expiresOn = requestTime + r.expiresIn;
    else if (r.expiresOn)
        token.expiresOn = *r.expiresOn;
    else
        token.expiresOn = requestTime + 3600;
    // refresh_in when the authority sent it; else, as MSAL does, half-way through a token that lives
    // two hours or more (the same rule as managed identity's answers).
    if (r.refreshIn && *r.refreshIn > 0)
        token.refreshOn = requestTime + *r.refreshIn;
    else if (token.expiresOn - requestTime >= kLongLivedToken)
        token.refreshOn = requestTime + (token.expiresOn - requestTime) / 2;
}

// An identity token must be issued to this client and, when the sign-in sent a nonce, answer it.
std::optional<AuthError> identityTokenProblem(const QJsonObject &claims, const TokenGrant &grant,
                                              const QString &clientId)
{
    const QJsonValue audience = claims.value(QStringLiteral("aud"));
    const bool audienceMatches = audience.isArray() ? audience.toArray().contains(QJsonValue(clientId))
                                                    : audience.toString() == clientId;
    if (!audienceMatches) {
        return AuthError::authentication(
            QStringLiteral("%1: the identity token was issued to another application (aud does not match the "
                           "client id %2).")
                .arg(grant.context, clientId));
    }
    if (!grant.expectedNonce.isEmpty() &&
        claims.value(QStringLiteral("nonce")).toString() != grant.expectedNonce) {
        return AuthError::authentication(
            QStringLiteral("%1: the identity token's nonce does not match this sign-in; the answer may have "
                           "been replayed. Sign in again.")
                .arg(grant.context));
    }
    return std::nullopt;
}

// Who signed in, from the identity token's claims; the tenant from the issuer when there is no tid.
void readIdentity(TokenOutcome &outcome, const TokenResponse &r, const QString &endpointTenant)
{
    const QJsonObject &claims = r.idTokenClaims;
    const QUrl issuer(claims.value(QStringLiteral("iss")).toString());
    outcome.issuerAuthority = issuer.port() == -1
                                  ? issuer.host()
                                  : issuer.host() + QLatin1Char(':') + QString::number(issuer.port());
    outcome.username = claims.value(QStringLiteral("preferred_username")).toString();
    if (outcome.username.isEmpty())
        outcome.username = claims.value(QStringLiteral("upn")).toString();
    if (outcome.username.isEmpty())
        outcome.username = claims.value(QStringLiteral("email")).toString();
    outcome.tenantId = claims.value(QStringLiteral("tid")).toString();
    if (outcome.tenantId.isEmpty()) {
        const QString firstSegment = issuer.path().section(QLatin1Char('/'), 1, 1);
        outcome.tenantId = firstSegment.isEmpty() ? endpointTenant : firstSegment;
    }
    outcome.hasIdentity = !claims.value(QStringLiteral("sub")).toString().isEmpty() || r.clientInfo;
}

CachedAccount cachedAccount(const TokenGrant &grant, const AuthorityEndpoints &endpoints,
                            const TokenOutcome &outcome, const QJsonObject &claims)
{
    CachedAccount account;
    account.homeAccountId = outcome.homeAccountId;
    account.environment = endpoints.environment;
    account.realm = endpoints.tenant;
    account.localAccountId = claims.value(QStringLiteral("oid")).toString();
    if (account.localAccountId.isEmpty())
        account.localAccountId = claims.value(QStringLiteral("sub")).toString();
    account.username = outcome.username;
    account.accountSource = grant.accountSource;
    return account;
}

// What the token cache keeps of an answer: the tokens, and the account when the grant signs one in.
TokenResponseEntry cacheEntry(const TokenGrant &grant, const AuthorityEndpoints &endpoints,
                              const TokenResponse &r, const TokenOutcome &outcome, qint64 requestTime)
{
    TokenResponseEntry entry;
    entry.clientId = outcome.clientId;
    entry.environment = endpoints.environment;
    entry.realm = endpoints.tenant;
    entry.homeAccountId = outcome.homeAccountId;
    entry.scopes = r.scopes.isEmpty() ? grant.scopes : r.scopes;
    for (const QString &reserved : ReservedScopes)
        entry.scopes.removeAll(reserved);
    // A token is filed under the scopes it was asked for too, or a later look-up for them would miss.
    for (const QString &asked : grant.scopes) {
        if (!entry.scopes.contains(asked, Qt::CaseInsensitive))
            entry.scopes.append(asked);
    }
    entry.accessToken = r.accessToken;
    entry.tokenType = r.tokenType;
    entry.now = requestTime;
    entry.expiresOn = outcome.token.expiresOn;
    entry.extendedExpiresOn = r.extExpiresIn > 0 ? requestTime + r.extExpiresIn : outcome.token.expiresOn;
    entry.refreshOn = outcome.token.refreshOn;
    entry.refreshToken = r.refreshToken;
    entry.familyId = r.foci;
    entry.idToken = r.idToken;
    if (!grant.accountSource.isEmpty() && !outcome.homeAccountId.isEmpty())
        entry.account = cachedAccount(grant, endpoints, outcome, r.idTokenClaims);
    return entry;
}

} // namespace

Result<AuthenticationRecord> TokenOutcome::record() const
{
    if (!hasIdentity || homeAccountId.isEmpty() || issuerAuthority.isEmpty()) {
        return AuthError::authentication(QStringLiteral(
            "Failed to build AuthenticationRecord from unexpected identity token: the authority's "
            "answer did not say who signed in (no id_token with an issuer and a subject)."));
    }
    return AuthenticationRecord{issuerAuthority, clientId, homeAccountId, tenantId, username};
}

PublicClient::PublicClient(ClientConfiguration configuration, QObject *parent)
    : QObject(parent), m_config(std::move(configuration)), m_http(new HttpClient(m_config.http, this))
{
    if (!m_config.clock)
        m_config.clock = &Clock::system();
    if (!m_config.cache)
        m_config.cache = std::make_shared<TokenCache>();
    if (!m_config.caeCache)
        m_config.caeCache = std::make_shared<TokenCache>();
    if (m_config.clientId.isEmpty())
        m_config.clientId = DeveloperSignOnClientId;
    if (m_config.tenantId.isEmpty())
        m_config.tenantId = DefaultTenant;
    if (!isValidTenantId(m_config.tenantId)) {
        m_configurationError = AuthError::configuration(
            QStringLiteral(
                "Invalid tenant ID provided (\"%1\"). You can locate your tenant ID by following the "
                "instructions listed here: "
                "https://learn.microsoft.com/partner-center/find-ids-and-domain-names")
                .arg(m_config.tenantId));
    }
    auto host = AuthorityHost::parse(m_config.authority.isEmpty() ? AuthorityHost::defaultHost()
                                                                  : m_config.authority);
    if (!host.ok()) {
        m_configurationError = host.error().asConfigurationError();
        host = AuthorityHost::parse(AzureAuthorityHosts::AzurePublicCloud);
    }
    m_resolver =
        new AuthorityResolver(host.value(), m_http, m_config.clock, m_config.disableInstanceDiscovery,
                              m_config.instanceDiscoveryEndpoint, this);
}

QString PublicClient::environment() const
{
    return m_resolver->host().environment;
}

const AuthorityHost &PublicClient::host() const
{
    return m_resolver->host();
}

QFuture<Result<AuthorityEndpoints>> PublicClient::endpoints(const QString &tenant)
{
    if (m_configurationError)
        return ready(Result<AuthorityEndpoints>(*m_configurationError));
    return m_resolver->resolve(tenant);
}

TokenGrant userGrant(const InteractiveRequest &request, const QString &accountSource)
{
    TokenGrant grant;
    grant.tenant = request.tenant;
    grant.scopes = request.scopes;
    grant.claims = request.claims;
    grant.cae = request.cae;
    grant.accountSource = accountSource;
    return grant;
}

QFuture<Result<TokenOutcome>> PublicClient::requestToken(TokenGrant grant)
{
    return endpoints(grant.tenant)
        .then(QtFuture::Launch::Sync,
              detail::guarded(this,
                              [this, grant = std::move(grant)](const Result<AuthorityEndpoints> &endpoints) {
                                  if (!endpoints.ok())
                                      return ready(Result<TokenOutcome>(endpoints.error()));
                                  QList<QPair<QString, QString>> form = grant.form;
                                  form.append({QStringLiteral("client_id"), m_config.clientId});
                                  form.append({QStringLiteral("scope"),
                                               grant.userToken ? decorateScopes(grant.scopes)
                                                               : grant.scopes.join(QLatin1Char(' '))});
                                  if (grant.userToken)
                                      form.append({QStringLiteral("client_info"), QStringLiteral("1")});
                                  form.append({QStringLiteral("claims"), grant.claims});
                                  AuthorityEndpoints ep = endpoints.value();
                                  if (grant.regional && !m_config.region.isEmpty()) {
                                      // MSAL: the regional service, same tenant path, no discovery of its
                                      // own.
                                      ep.token.setHost(regionalHost(ep.token.host(), m_config.region));
                                  }
                                  if (m_config.clientCredential) {
                                      // A client assertion names the central token endpoint as its
                                      // audience, also for a regional request (as MSAL signs it).
                                      auto credential = m_config.clientCredential(endpoints.value().token);
                                      if (!credential.ok())
                                          return ready(Result<TokenOutcome>(credential.error()));
                                      form.append(credential.value());
                                  }
                                  const qint64 requestTime = m_config.clock->now();
                                  return m_http->postForm(ep.token, form, grant.headers)
                                      .then(QtFuture::Launch::Sync,
                                            detail::guarded(this, [this, grant, ep, requestTime](
                                                                      const HttpResponse &response) {
                                                return handleTokenResponse(grant, ep, response, requestTime);
                                            }));
                              }))
        .unwrap();
}

Result<TokenOutcome> PublicClient::handleTokenResponse(const TokenGrant &grant,
                                                       const AuthorityEndpoints &endpoints,
                                                       const HttpResponse &response, qint64 requestTime)
{
    auto parsed = parseTokenResponse(response, grant.context);
    if (!parsed.ok())
        return parsed.error();
    const TokenResponse &r = parsed.value();

    TokenOutcome outcome;
    outcome.clientId = m_config.clientId;
    outcome.token.token = r.accessToken;
    outcome.token.tokenType = r.tokenType;
    setLifetime(outcome.token, r, requestTime);
    if (!r.idToken.isEmpty()) {
        if (auto problem = identityTokenProblem(r.idTokenClaims, grant, m_config.clientId))
            return *problem;
        readIdentity(outcome, r, endpoints.tenant);
    }
    if (r.clientInfo)
        outcome.homeAccountId = r.clientInfo->uid + QLatin1Char('.') + r.clientInfo->utid;
    else if (!r.idToken.isEmpty())
        outcome.homeAccountId = r.idTokenClaims.value(QStringLiteral("sub")).toString();

    const TokenResponseEntry entry = cacheEntry(grant, endpoints, r, outcome, requestTime);
    if (grant.cacheResult)
        cache(grant.cae).add(entry);
    qCDebug(lcCredentials) << "token issued for" << entry.scopes << "expires_on" << outcome.token.expiresOn;
    return outcome;
}

QFuture<Result<TokenOutcome>> PublicClient::acquireSilent(const QString &tenant, const QString &homeAccountId,
                                                          const QString &environment,
                                                          const QStringList &scopes, const QString &claims,
                                                          bool cae)
{
    if (m_configurationError)
        return ready(Result<TokenOutcome>(*m_configurationError));
    TokenCache &tokens = cache(cae);
    const qint64 now = m_config.clock->now();
    std::optional<CachedAccessToken> cached;
    if (claims.isEmpty()) {
        cached = tokens.findAccessToken(homeAccountId, environment, m_config.clientId, tenant, scopes, now);
        if (cached && (!cached->refreshOn || *cached->refreshOn > now)) {
            TokenOutcome outcome;
            outcome.token = {cached->secret, cached->expiresOn, cached->refreshOn, cached->tokenType};
            outcome.homeAccountId = homeAccountId;
            outcome.clientId = m_config.clientId;
            return ready(Result<TokenOutcome>(std::move(outcome)));
        }
    }

    const QString key = QStringList{homeAccountId, environment,
                                    tenant,        TokenCache::normalizedTarget(scopes),
                                    claims,        cae ? QStringLiteral("cae") : QString()}
                            .join(QChar(0x1f));
    const auto running = m_inFlight.constFind(key);
    if (running != m_inFlight.constEnd())
        return (*running)->subscribe();

    const auto refreshToken = tokens.findRefreshToken(homeAccountId, environment, m_config.clientId);
    if (!refreshToken) {
        return ready(Result<TokenOutcome>(AuthError::authenticationRequired(
            scopes, claims,
            QStringLiteral(
                "No refresh token is cached for this account; sign in interactively to get a token."))));
    }
    auto broadcast = std::make_shared<Broadcast<Result<TokenOutcome>>>();
    m_inFlight.insert(key, broadcast);
    refresh(tenant, *refreshToken, scopes, claims, cae)
        .then(
            QtFuture::Launch::Sync,
            guarded(this, [this, key, cached, broadcast](const Result<TokenOutcome> &result) {
                m_inFlight.remove(key);
                // A refresh ahead of expiry that failed leaves the still-valid token in use.
                if (!result.ok() && cached) {
                    qCInfo(lcCredentials).noquote()
                        << "early refresh failed, using the cached token until it nears expiry:"
                        << result.error().toString();
                    TokenOutcome outcome;
                    outcome.token = {cached->secret, cached->expiresOn, cached->refreshOn, cached->tokenType};
                    outcome.homeAccountId = cached->homeAccountId;
                    outcome.clientId = m_config.clientId;
                    broadcast->publish(outcome);
                    return;
                }
                broadcast->publish(result);
            }));
    return broadcast->subscribe();
}

QFuture<Result<TokenOutcome>> PublicClient::refresh(const QString &tenant,
                                                    const CachedRefreshToken &refreshToken,
                                                    const QStringList &scopes, const QString &claims,
                                                    bool cae)
{
    TokenGrant grant;
    grant.tenant = tenant;
    grant.scopes = scopes;
    grant.claims = claims;
    grant.cae = cae;
    grant.context = QStringLiteral("Silent token refresh failed");
    grant.form = {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                  {QStringLiteral("refresh_token"), refreshToken.secret.revealString()}};
    QString anchor = refreshToken.homeAccountId;
    anchor.replace(QLatin1Char('.'), QLatin1Char('@'));
    grant.headers.append({"X-AnchorMailbox", QByteArrayLiteral("Oid:") + anchor.toUtf8()});

    return requestToken(grant).then(QtFuture::Launch::Sync, [scopes, claims](Result<TokenOutcome> result) {
        if (result.ok())
            return result;
        const AuthError &error = result.error();
        // The authority rejected the grant: only the user can help. A network or server failure is
        // reported as it is, so that an outage does not make people sign in again.
        const bool rejected = error.httpStatus >= 400 && error.httpStatus < 500 &&
                              !error.oauthError.isEmpty() &&
                              error.oauthError != QStringLiteral("invalid_client") &&
                              error.oauthError != QStringLiteral("temporarily_unavailable");
        if (!rejected)
            return result;
        AuthError required = error;
        required.kind = ErrorKind::AuthenticationRequired;
        required.scopes = scopes;
        if (required.claims.isEmpty())
            required.claims = claims;
        required.message += QStringLiteral(". Sign in again to continue.");
        return Result<TokenOutcome>(required);
    });
}

} // namespace azid::detail
