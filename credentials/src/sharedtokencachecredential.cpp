#include "azid/sharedtokencachecredential.h"

#include "authority.h"
#include "azid/authorityhosts.h"
#include "cachepersistencehooks.h"
#include "futures.h"
#include "logging.h"
#include "oauth.h"
#include "publicclient.h"

#include <QSysInfo>

namespace azid {

namespace {

// azure.identity's messages (its line breaks left out).
const QString Unavailable = QStringLiteral("SharedTokenCacheCredential authentication unavailable. ");
const QString NoAccounts = Unavailable + QStringLiteral("No accounts were found in the cache.");
const QString MultipleAccounts =
    Unavailable + QStringLiteral("Multiple accounts were found in the cache. Use "
                                 "username and tenant id to disambiguate.");

QString filterText(const QString &username, const QString &tenantId)
{
    QString text;
    if (!username.isEmpty())
        text += QStringLiteral(" username: ") + username;
    if (!tenantId.isEmpty())
        text += QStringLiteral(" tenant: ") + tenantId;
    return text;
}

QString noToken(const QString &username)
{
    return QStringLiteral("Token acquisition failed for user '%1'. To fix, re-authenticate through developer "
                          "tooling supporting Azure single sign on")
        .arg(username);
}

// MSAL .NET's aliases of the Microsoft clouds, as azure.identity lists them.
QStringList aliasesOf(const QString &host)
{
    static const QList<QStringList> clouds{
        {QStringLiteral("login.chinacloudapi.cn"), QStringLiteral("login.partner.microsoftonline.cn")},
        {QStringLiteral("login.microsoftonline.com"), QStringLiteral("login.windows.net"),
         QStringLiteral("login.microsoft.com"), QStringLiteral("sts.windows.net")},
        {QStringLiteral("login.microsoftonline.us"), QStringLiteral("login.usgovcloudapi.net")},
    };
    for (const QStringList &aliases : clouds) {
        if (aliases.contains(host))
            return aliases;
    }
    return {host};
}

// A refreshed token that did not reach the shared cache is still handed out; the failure is logged.
void warnUnsaved(const QString &why)
{
    qCWarning(lcCredentials).noquote()
        << "SharedTokenCacheCredential: the refreshed token could not be saved to the shared cache:" << why;
}

QString tenantOf(const QString &homeAccountId)
{
    const QStringList parts = homeAccountId.split(QLatin1Char('.'));
    return parts.size() == 2 ? parts.at(1) : QString();
}

} // namespace

struct SharedTokenCacheCredential::Private
{
    QString username;
    SharedTokenCacheCredentialOptions options;
    std::optional<AuthError> configurationError;
    QString host; // of the authority, without a port: the cache's environment
    detail::PublicClient *client = nullptr;

    TokenCache &cache(bool cae) const { return cae && options.caeCache ? *options.caeCache : *options.cache; }
    Result<CachedAccount> selectAccount(bool cae) const;
    QFuture<TokenResult> acquire(const TokenRequestOptions &request);

    // The caches, their reload and their save from the persistent cache `persistenceOptions` name.
    void usePersistentCache(const TokenCachePersistenceOptions &persistenceOptions)
    {
        detail::PersistentCaches caches = detail::persistentCaches(persistenceOptions);
        if (caches.error) {
            configurationError = caches.error;
            return;
        }
        options.cache = caches.cache;
        options.caeCache = caches.caeCache;
        options.reloadCache = [persistence = caches.persistence] { return persistence->load(); };
        options.saveCache = [persistence = caches.persistence] { return persistence->save(); };
    }
};

Result<CachedAccount> SharedTokenCacheCredential::Private::selectAccount(bool cae) const
{
    const TokenCache &tokens = cache(cae);
    const QStringList aliases = aliasesOf(host);
    if (options.authenticationRecord) {
        for (const CachedAccount &account : tokens.accounts()) {
            if (account.homeAccountId == options.authenticationRecord->homeAccountId &&
                aliases.contains(account.environment, Qt::CaseInsensitive))
                return account;
        }
        return AuthError::unavailable(
            QStringLiteral("The cache contains no account matching the given AuthenticationRecord."));
    }

    // Accounts of this cloud with a family refresh token (a client id no token has: family ones only).
    QList<CachedAccount> candidates;
    for (const CachedAccount &account : tokens.accounts()) {
        if (!aliases.contains(account.environment, Qt::CaseInsensitive))
            continue;
        bool duplicate = false;
        for (const CachedAccount &known : std::as_const(candidates))
            duplicate = duplicate || known.homeAccountId == account.homeAccountId;
        if (!duplicate &&
            tokens.findRefreshToken(account.homeAccountId, account.environment, QString(), true))
            candidates.append(account);
    }
    if (candidates.isEmpty())
        return AuthError::unavailable(NoAccounts);

    QList<CachedAccount> matches;
    for (const CachedAccount &account : std::as_const(candidates)) {
        if (!username.isEmpty() && account.username != username)
            continue;
        if (!options.tenantId.isEmpty() && tenantOf(account.homeAccountId) != options.tenantId)
            continue;
        matches.append(account);
    }
    if (matches.size() == 1)
        return matches.first();
    if (username.isEmpty() && options.tenantId.isEmpty())
        return AuthError::unavailable(MultipleAccounts);
    const QString filters = filterText(username, options.tenantId);
    if (matches.isEmpty()) {
        return AuthError::unavailable(
            Unavailable +
            QStringLiteral("No account matching the specified%1 was found in the cache.").arg(filters));
    }
    return AuthError::unavailable(
        Unavailable +
        QStringLiteral("Multiple accounts matching the specified%1 were found in the cache.").arg(filters));
}

QFuture<TokenResult> SharedTokenCacheCredential::Private::acquire(const TokenRequestOptions &request)
{
    const auto account = selectAccount(request.enableCae);
    if (!account)
        return detail::ready(TokenResult(account.error()));
    const CachedAccount &chosen = account.value();
    TokenCache &tokens = cache(request.enableCae);
    const QString clientId = client->clientId();
    const QString displayName = chosen.username.isEmpty() ? chosen.homeAccountId : chosen.username;

    // Without a record, azure.identity takes a cached token of the account for the scopes whatever the
    // realm it was requested in: the realms worth trying are the client's tenant ("organizations"), the
    // account's home tenant and "common". With one, MSAL looks in the record's tenant only.
    if (request.claims.isEmpty()) {
        const qint64 now = client->clock().now();
        QStringList realms{client->tenantId()};
        if (!options.authenticationRecord)
            realms << tenantOf(chosen.homeAccountId) << QStringLiteral("common");
        for (const QString &realm : realms) {
            if (realm.isEmpty())
                continue;
            const auto cached = tokens.findAccessToken(chosen.homeAccountId, chosen.environment, clientId,
                                                       realm, request.scopes, now);
            if (cached && (!cached->refreshOn || *cached->refreshOn > now))
                return detail::ready(TokenResult(AccessTokenInfo{cached->secret, cached->expiresOn,
                                                                 cached->refreshOn, cached->tokenType}));
        }
    }
    if (!tokens.findRefreshToken(chosen.homeAccountId, chosen.environment, clientId, true))
        return detail::ready(TokenResult(AuthError::unavailable(noToken(displayName))));

    QString claims = request.claims;
    if (request.enableCae)
        claims = detail::mergeClaimsWithCapabilities(claims, {QStringLiteral("CP1")});
    auto save = options.saveCache;
    return client
        ->acquireSilent(client->tenantId(), chosen.homeAccountId, chosen.environment, request.scopes, claims,
                        request.enableCae)
        .then(QtFuture::Launch::Sync,
              [save](const Result<detail::TokenOutcome> &outcome) -> QFuture<TokenResult> {
                  if (!outcome) {
                      // The authority refused the refresh token: azure.identity raises
                      // ClientAuthenticationError.
                      AuthError error = outcome.error();
                      if (error.kind == ErrorKind::AuthenticationRequired) {
                          error.kind = ErrorKind::ClientAuthentication;
                          error.message = QStringLiteral("Token acquisition failed: ") + error.message;
                      }
                      return detail::ready(TokenResult(error));
                  }
                  const TokenResult refreshed(outcome.value().token);
                  if (!save)
                      return detail::ready(refreshed);
                  // The token is handed out once the shared cache has it, so that a process that exits
                  // right after getting it (a script, azid-cli) does not leave the refresh unsaved.
                  return save()
                      .then(QtFuture::Launch::Sync,
                            [refreshed](const VoidResult &saved) {
                                if (!saved)
                                    warnUnsaved(saved.error().message);
                                return refreshed;
                            })
                      .onCanceled([refreshed] {
                          warnUnsaved(QStringLiteral("the save was abandoned"));
                          return refreshed;
                      });
              })
        .unwrap();
}

SharedTokenCacheCredential::SharedTokenCacheCredential(const QString &username,
                                                       const SharedTokenCacheCredentialOptions &options,
                                                       QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->username = username;
    d->options = options;
    if (!options.cache && (options.cachePersistenceOptions || hasTokenCachePersistenceFactory()))
        d->usePersistentCache(options.cachePersistenceOptions.value_or(TokenCachePersistenceOptions()));
    detail::ClientConfiguration config;
    config.authority = options.authority;
    config.tenantId = DefaultTenant;
    config.clientId = DeveloperSignOnClientId;
    if (options.authenticationRecord) {
        // As azure.identity: the record names the authority, the client and (by default) the tenant.
        config.authority = options.authenticationRecord->authority;
        config.clientId = options.authenticationRecord->clientId;
        config.tenantId =
            options.tenantId.isEmpty() ? options.authenticationRecord->tenantId : options.tenantId;
        d->username = options.authenticationRecord->username;
    }
    config.disableInstanceDiscovery = options.disableInstanceDiscovery;
    config.instanceDiscoveryEndpoint = options.instanceDiscoveryEndpoint;
    config.http = options.http;
    config.cache = d->options.cache;
    config.caeCache = d->options.caeCache ? d->options.caeCache : d->options.cache;
    config.clock = options.clock;
    d->client = new detail::PublicClient(config, this);
    d->host = d->client->host().base.host();
    if (d->client->configurationError())
        d->configurationError = d->client->configurationError();
}

std::optional<AuthError> SharedTokenCacheCredential::configurationError() const
{
    return d->configurationError;
}

SharedTokenCacheCredential::~SharedTokenCacheCredential() = default;

bool SharedTokenCacheCredential::supported()
{
    const QString os = QSysInfo::productType();
    return QSysInfo::kernelType() == QStringLiteral("linux") || os == QStringLiteral("windows") ||
           os == QStringLiteral("macos") || os == QStringLiteral("osx");
}

QFuture<TokenResult> SharedTokenCacheCredential::getTokenInfo(const TokenRequestOptions &options)
{
    if (options.scopes.isEmpty())
        return detail::ready(TokenResult(
            AuthError::authentication(QStringLiteral("'get_token' requires at least one scope"))));
    if (const QString problem = detail::validateScopes(options.scopes); !problem.isEmpty())
        return detail::ready(TokenResult(AuthError::authentication(problem)));
    if (d->configurationError)
        return detail::ready(TokenResult(*d->configurationError));
    if (!d->options.cache)
        return detail::ready(
            TokenResult(AuthError::unavailable(QStringLiteral("Shared token cache unavailable"))));
    if (!d->options.reloadCache)
        return d->acquire(options);
    return d->options.reloadCache()
        .then(QtFuture::Launch::Sync,
              detail::guarded(this,
                              [this, options](const VoidResult &reloaded) {
                                  if (!reloaded) {
                                      return detail::ready(TokenResult(AuthError::unavailable(
                                          QStringLiteral("Shared token cache unavailable: ") +
                                          reloaded.error().message)));
                                  }
                                  return d->acquire(options);
                              }))
        .unwrap();
}

} // namespace azid
