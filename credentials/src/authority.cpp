#include "authority.h"

#include "azid/authorityhosts.h"
#include "futures.h"
#include "oauth.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QUrlQuery>

namespace azid::detail {

bool AuthorityHost::isKnownMicrosoftHost() const
{
    static const QStringList known{
        QStringLiteral("login.microsoftonline.com"), QStringLiteral("login.chinacloudapi.cn"),
        QStringLiteral("login-us.microsoftonline.com"), QStringLiteral("login.microsoftonline.us")};
    return base.port() == -1 && known.contains(base.host());
}

QString AuthorityHost::defaultHost()
{
    const QString fromEnvironment = qEnvironmentVariable("AZURE_AUTHORITY_HOST");
    return fromEnvironment.isEmpty() ? AzureAuthorityHosts::AzurePublicCloud : fromEnvironment;
}

Result<AuthorityHost> AuthorityHost::parse(const QString &hostOrUrl)
{
    QString text = hostOrUrl.trimmed();
    if (text.isEmpty())
        return AuthError::unavailable(QStringLiteral("No authority was given."));
    if (!text.contains(QStringLiteral("://")))
        text.prepend(QStringLiteral("https://"));
    while (text.endsWith(QLatin1Char('/')))
        text.chop(1);
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()) {
        return AuthError::unavailable(
            QStringLiteral(
                "\"%1\" is not a valid authority: give a host such as login.microsoftonline.com or an "
                "https URL.")
                .arg(hostOrUrl));
    }
    if (url.scheme() != QStringLiteral("https")) {
        return AuthError::unavailable(
            QStringLiteral("\"%1\" is an invalid authority. The value must be a TLS protected (https) URL: "
                           "tokens and passwords are never sent over plain http.")
                .arg(hostOrUrl));
    }
    if (!url.path().isEmpty() || url.hasQuery() || url.hasFragment()) {
        return AuthError::unavailable(
            QStringLiteral(
                "The authority \"%1\" has a path; give only the scheme, host and port and name the "
                "tenant separately (--tenant).")
                .arg(hostOrUrl));
    }
    AuthorityHost host;
    host.base.setScheme(QStringLiteral("https"));
    host.base.setHost(url.host().toLower());
    host.base.setPort(url.port());
    host.environment = host.base.host();
    return host;
}

QString regionalHost(const QString &host, const QString &region)
{
    static const QStringList publicCloud{
        QStringLiteral("login.microsoftonline.com"), QStringLiteral("login.microsoft.com"),
        QStringLiteral("login.windows.net"), QStringLiteral("sts.windows.net")};
    const QString lower = host.toLower();
    if (publicCloud.contains(lower))
        return region + QStringLiteral(".login.microsoft.com");
    return region + QLatin1Char('.') + lower;
}

Result<QString> resolveRegion(const QString &configured, const QString &regionName)
{
    QString value = configured.trimmed().toLower();
    if (value.isEmpty() || value == QStringLiteral("disableregion") || value == QStringLiteral("false"))
        return QString();
    if (value == QStringLiteral("tryautodetect") || value == QStringLiteral("true")) {
        // Azure Functions and App Service name their region in REGION_NAME ("West US 2" or "westus2").
        // Nothing found: the global endpoint, as MSAL falls back to it.
        value = regionName.toLower().remove(QLatin1Char(' '));
        if (value.isEmpty())
            return QString();
    }
    for (QChar c : value) {
        if (!((c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
              (c >= QLatin1Char('0') && c <= QLatin1Char('9')))) {
            return AuthError::unavailable(
                QStringLiteral("\"%1\" is not an Azure region name (AZURE_REGIONAL_AUTHORITY_NAME): give a "
                               "region such as westus2, or TryAutoDetect.")
                    .arg(configured));
        }
    }
    return value;
}

bool isValidTenantId(const QString &tenantId)
{
    if (tenantId.isEmpty())
        return false;
    for (QChar c : tenantId) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
                        u == u'-' || u == u'.';
        if (!ok)
            return false;
    }
    return true;
}

namespace {

// Endpoints found by any resolver of the process, by metadataKey(); only successes.
class KnownAuthorities
{
public:
    std::optional<AuthorityEndpoints> find(const QString &key, qint64 now) const
    {
        const QMutexLocker lock(&m_mutex);
        const auto known = m_entries.constFind(key);
        if (known == m_entries.constEnd() || now < known->foundAt ||
            now - known->foundAt >= AuthorityResolver::metadataLifetime)
            return std::nullopt;
        return known->endpoints;
    }
    void store(const QString &key, const AuthorityEndpoints &endpoints, qint64 now)
    {
        const QMutexLocker lock(&m_mutex);
        m_entries.insert(key, {endpoints, now});
    }
    void clear()
    {
        const QMutexLocker lock(&m_mutex);
        m_entries.clear();
    }

private:
    struct Entry
    {
        AuthorityEndpoints endpoints;
        qint64 foundAt = 0;
    };
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_entries;
};

KnownAuthorities &knownAuthorities()
{
    static KnownAuthorities known;
    return known;
}

} // namespace

AuthorityResolver::AuthorityResolver(AuthorityHost host, HttpClient *http, const Clock *clock,
                                     bool disableInstanceDiscovery, QUrl instanceDiscoveryEndpoint,
                                     QObject *parent)
    : QObject(parent), m_host(std::move(host)), m_http(http), m_clock(clock ? clock : &Clock::system()),
      m_disableInstanceDiscovery(disableInstanceDiscovery),
      m_instanceDiscoveryEndpoint(std::move(instanceDiscoveryEndpoint))
{
    if (m_instanceDiscoveryEndpoint.isEmpty())
        m_instanceDiscoveryEndpoint =
            QUrl(QStringLiteral("https://login.microsoftonline.com/common/discovery/instance"));
}

void AuthorityResolver::forgetKnownAuthorities()
{
    knownAuthorities().clear();
}

QString AuthorityResolver::metadataKey(const QString &tenant) const
{
    const bool direct = m_disableInstanceDiscovery || m_host.isKnownMicrosoftHost();
    return QStringList{m_host.base.toString(), tenant,
                       direct ? QString() : m_instanceDiscoveryEndpoint.toString()}
        .join(QChar(0x1f));
}

QFuture<Result<AuthorityEndpoints>> AuthorityResolver::resolve(const QString &tenant)
{
    const auto mine = m_resolved.constFind(tenant);
    // A failed discovery is tried again next time; a successful one is kept.
    if (mine != m_resolved.constEnd() && (!(*mine)->value() || (*mine)->value()->ok()))
        return (*mine)->subscribe();
    const QString key = metadataKey(tenant);
    if (std::optional<AuthorityEndpoints> known = knownAuthorities().find(key, m_clock->now()))
        return ready(Result<AuthorityEndpoints>(*std::move(known)));

    auto broadcast = std::make_shared<Broadcast<Result<AuthorityEndpoints>>>();
    m_resolved.insert(tenant, broadcast);
    discover(tenant).then(QtFuture::Launch::Sync,
                          [broadcast, key, clock = m_clock](const Result<AuthorityEndpoints> &endpoints) {
                              if (endpoints.ok())
                                  knownAuthorities().store(key, endpoints.value(), clock->now());
                              broadcast->publish(endpoints);
                          });
    return broadcast->subscribe();
}

// Instance discovery first for a host Microsoft does not list (unless disabled), then the tenant's
// OpenID configuration.
QFuture<Result<AuthorityEndpoints>> AuthorityResolver::discover(const QString &tenant)
{
    QUrl configuration = m_host.base;
    configuration.setPath(QLatin1Char('/') + tenant +
                          QStringLiteral("/v2.0/.well-known/openid-configuration"));
    if (m_disableInstanceDiscovery || m_host.isKnownMicrosoftHost())
        return fetchConfiguration(tenant, configuration);

    QUrl discovery = m_instanceDiscoveryEndpoint;
    QUrl authorize = m_host.base;
    authorize.setPath(QLatin1Char('/') + tenant + QStringLiteral("/oauth2/v2.0/authorize"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("api-version"), QStringLiteral("1.1"));
    query.addQueryItem(QStringLiteral("authorization_endpoint"),
                       QString::fromUtf8(QUrl::toPercentEncoding(authorize.toString())));
    discovery.setQuery(query);
    HttpRequest request;
    request.url = discovery;
    return m_http->send(request)
        .then(QtFuture::Launch::Sync,
              detail::guarded(
                  this,
                  [this, tenant, configuration](const HttpResponse &response) {
                      const QJsonObject body = QJsonDocument::fromJson(response.body).object();
                      if (!response.isSuccess() || body.contains(QStringLiteral("error"))) {
                          AuthError error =
                              errorFromResponse(response, QStringLiteral("Instance discovery failed"));
                          error.kind = ErrorKind::CredentialUnavailable;
                          error.message =
                              QStringLiteral("%1 is not a known Microsoft authority and instance discovery "
                                             "could not validate it (%2). If you trust this authority, turn "
                                             "instance discovery off (--disable-instance-discovery).")
                                  .arg(m_host.hostAndPort(), error.message);
                          return QtFuture::makeReadyFuture(Result<AuthorityEndpoints>(error));
                      }
                      QUrl next(body.value(QStringLiteral("tenant_discovery_endpoint")).toString());
                      if (!next.isValid() || next.scheme() != QStringLiteral("https"))
                          next = configuration;
                      return fetchConfiguration(tenant, next);
                  }))
        .unwrap();
}

QFuture<Result<AuthorityEndpoints>> AuthorityResolver::fetchConfiguration(const QString &tenant,
                                                                          QUrl configurationUrl)
{
    HttpRequest request;
    request.url = std::move(configurationUrl);
    return m_http->send(request).then(
        QtFuture::Launch::Sync, detail::guarded(this, [this, tenant](const HttpResponse &response) {
            if (!response.isSuccess()) {
                AuthError error = errorFromResponse(
                    response,
                    QStringLiteral("Unable to get the configuration of authority %1 for tenant \"%2\"")
                        .arg(m_host.hostAndPort(), tenant));
                if (response.status >= 400 && response.status < 500)
                    error.message += QStringLiteral(". Check the authority and the tenant id.");
                return Result<AuthorityEndpoints>(error);
            }
            const QJsonDocument doc = QJsonDocument::fromJson(response.body);
            const QJsonObject config = doc.object();
            AuthorityEndpoints endpoints;
            endpoints.authorization = QUrl(config.value(QStringLiteral("authorization_endpoint")).toString());
            endpoints.token = QUrl(config.value(QStringLiteral("token_endpoint")).toString());
            endpoints.deviceCode =
                QUrl(config.value(QStringLiteral("device_authorization_endpoint")).toString());
            endpoints.environment = m_host.environment;
            endpoints.entra =
                m_host.isKnownMicrosoftHost() || config.contains(QStringLiteral("cloud_instance_name"));
            for (const QJsonValue &prompt : config.value(QStringLiteral("prompt_values_supported")).toArray())
                endpoints.promptValuesSupported.append(prompt.toString());
            if (!doc.isObject() || endpoints.token.scheme() != QStringLiteral("https") ||
                endpoints.authorization.scheme() != QStringLiteral("https")) {
                AuthError error = AuthError::authentication(
                    QStringLiteral(
                        "The OpenID configuration of %1 is malformed: it must name https authorization and "
                        "token endpoints.")
                        .arg(m_host.hostAndPort()));
                error.correlationId = response.clientRequestId;
                return Result<AuthorityEndpoints>(error);
            }
            // MSAL's realm: the first path segment of the token endpoint (Entra), else the tenant asked for.
            const QString firstSegment = endpoints.token.path().section(QLatin1Char('/'), 1, 1);
            endpoints.tenant = firstSegment == tenant ? firstSegment : tenant;
            return Result<AuthorityEndpoints>(endpoints);
        }));
}

} // namespace azid::detail
