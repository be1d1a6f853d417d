#pragma once

#include "azid/clock.h"
#include "azid/result.h"
#include "futures.h"
#include "httpclient.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QUrl>

namespace azid::detail {

// Where to sign in, as given by a user: a host ("login.microsoftonline.us") or an https URL
// ("https://login.example.org:8443"), plus the tenant path segment.
struct AuthorityHost
{
    QUrl base; // https://host[:port], no path
    // The cache's "environment": the host without a port, as MSAL keys its cache (MSAL Python's
    // authority.instance is urlparse().hostname), so that caches written by MSAL and by Azid for the
    // same authority match, also for one on a port.
    QString environment;

    // host[:port], for messages.
    QString hostAndPort() const { return base.authority(); }

    bool isKnownMicrosoftHost() const;
    // Normalizes and checks a host or URL: http and other schemes are refused.
    static Result<AuthorityHost> parse(const QString &hostOrUrl);
    // AZURE_AUTHORITY_HOST, else the public cloud.
    static QString defaultHost();
};

// The host of an authority's regional token service (MSAL's rule): <region>.login.microsoft.com for
// the public cloud's hosts (login.microsoftonline.com, login.microsoft.com, login.windows.net,
// sts.windows.net), <region>.<host> for any other (login.microsoftonline.us, a sovereign cloud).
// MSAL used <region>.r.login.microsoftonline.com for the public cloud until 2023; it is not used.
QString regionalHost(const QString &host, const QString &region);

// The region a confidential client's client-credentials requests go to, from `configured` (the
// regionalAuthority option, else AZURE_REGIONAL_AUTHORITY_NAME) and `regionName` (REGION_NAME, for
// auto-detection): empty for none. An unusable value is a CredentialUnavailable error saying so.
Result<QString> resolveRegion(const QString &configured, const QString &regionName);

// azure.identity's tenant rule: ASCII letters, digits, '-' and '.'.
bool isValidTenantId(const QString &tenantId);

struct AuthorityEndpoints
{
    QUrl authorization;
    QUrl token;
    QUrl deviceCode; // empty when the server does not offer the device flow
    QString tenant;  // the realm: the tenant segment of the token endpoint
    QString environment;
    QStringList promptValuesSupported; // empty when the document does not say (Entra does not)
    bool entra = false;                // Microsoft Entra (or an emulation of it), not a generic provider
};

// Finds a tenant's endpoints from its OpenID configuration, after instance discovery for hosts that
// Microsoft does not list (unless disabled). What was found is kept for the process, as MSAL keeps
// instance metadata: every resolver of the same authority, tenant and discovery setting uses it for
// an hour (by `clock`) without asking again. A failure is never kept: the next request asks again.
class AuthorityResolver : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 metadataLifetime = 3600; // seconds

    AuthorityResolver(AuthorityHost host, HttpClient *http, const Clock *clock, bool disableInstanceDiscovery,
                      QUrl instanceDiscoveryEndpoint = {}, QObject *parent = nullptr);
    // Forgets what every resolver of the process found (tests).
    static void forgetKnownAuthorities();

    QFuture<Result<AuthorityEndpoints>> resolve(const QString &tenant);
    const AuthorityHost &host() const { return m_host; }

private:
    QFuture<Result<AuthorityEndpoints>> fetchConfiguration(const QString &tenant, QUrl configurationUrl);
    QFuture<Result<AuthorityEndpoints>> discover(const QString &tenant);
    // The key of this resolver's answers for `tenant` in the process-wide metadata.
    QString metadataKey(const QString &tenant) const;

    AuthorityHost m_host;
    HttpClient *m_http;
    const Clock *m_clock;
    bool m_disableInstanceDiscovery;
    QUrl m_instanceDiscoveryEndpoint;
    QHash<QString, std::shared_ptr<Broadcast<Result<AuthorityEndpoints>>>> m_resolved;
};

} // namespace azid::detail
