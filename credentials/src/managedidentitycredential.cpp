#include "azid/managedidentitycredential.h"

#include "apptokenrequest.h"
#include "azid/workloadidentitycredential.h"
#include "chainrunner.h"
#include "futures.h"
#include "logging.h"
#include "managedidentityhttp.h"
#include "managedidentitysources.h"
#include "oauth.h"

#include <QSysInfo>
#include <QUrlQuery>

namespace azid {
namespace {

using detail::ManagedIdentitySource;
using Parameters = QList<QPair<QString, QString>>;

constexpr std::chrono::milliseconds kImdsConnectTimeout{2000};
constexpr std::chrono::milliseconds kProbeTimeout{1000};
const QString SystemAssignedCacheId = QStringLiteral("SYSTEM_ASSIGNED_MANAGED_IDENTITY");

QUrl withQuery(QUrl url, const Parameters &parameters)
{
    QUrlQuery query(url);
    for (const auto &[name, value] : parameters)
        query.addQueryItem(name, QString::fromUtf8(QUrl::toPercentEncoding(value)));
    url.setQuery(query);
    return url;
}

AuthError noEndpoint()
{
    return AuthError::unavailable(QStringLiteral(
        "ManagedIdentityCredential authentication unavailable. No managed identity endpoint found. The "
        "Target "
        "Azure platform could not be determined from environment variables: IDENTITY_ENDPOINT is set, but "
        "neither IDENTITY_HEADER (App Service, Service Fabric) nor IMDS_ENDPOINT (Azure Arc) is. Visit "
        "https://aka.ms/azsdk/python/identity/managedidentitycredential/troubleshoot to troubleshoot this "
        "issue."));
}

} // namespace

struct ManagedIdentityCredential::Private
{
    detail::ManagedIdentityEnvironment environment;
    detail::ManagedIdentityId identity;
    HttpOptions http;
    QString arcKeyDirectory;
    std::optional<bool> probe; // imdsProbe as given
    bool withinDefaultChain = false;
    QString hostName;
    detail::ManagedIdentityHttp *transport = nullptr;
    WorkloadIdentityCredential *workload = nullptr;
    bool imdsAvailable = false;
    std::shared_ptr<detail::Broadcast<std::optional<AuthError>>> probeInFlight;

    detail::ManagedIdentityRetryPolicy standardRetries() const
    {
        return detail::ManagedIdentityRetryPolicy::standard(http.maxRetries, http.retryBaseDelay,
                                                            http.maxRetryDelay);
    }
    detail::ManagedIdentityTransport standardTransport() const
    {
        detail::ManagedIdentityTransport standard;
        standard.transferTimeout = http.transferTimeout;
        return standard;
    }
};

ManagedIdentityCredential::ManagedIdentityCredential(const ManagedIdentityCredentialOptions &options,
                                                     QObject *parent)
    : AppTokenCredential(options.cache, options.clock, parent), d(std::make_unique<Private>())
{
    const detail::EnvironmentReader environment(options.environment);
    d->environment = detail::detectManagedIdentityEnvironment(environment, options.excludeWorkloadIdentity);
    if (d->environment.source == ManagedIdentitySource::Imds && !options.imdsEndpoint.isEmpty()) {
        QString base = options.imdsEndpoint;
        while (base.endsWith(QLatin1Char('/')))
            base.chop(1);
        d->environment.endpoint = QUrl(base + detail::ImdsTokenPath);
    }
    d->http = options.http;
    d->arcKeyDirectory =
        options.arcKeyDirectory.isEmpty() ? detail::platformArcKeyDirectory() : options.arcKeyDirectory;
    d->withinDefaultChain = options.withinDefaultChain;
    d->probe = options.imdsProbe;
    d->hostName = QSysInfo::machineHostName();
    d->transport = new detail::ManagedIdentityHttp(this);

    auto identity = detail::managedIdentityFromOptions(options.clientId, options.identityConfig);
    if (!identity.ok()) {
        setConfigurationError(identity.error());
        return;
    }
    d->identity = identity.value();
    const ManagedIdentitySource source = d->environment.source;
    qCDebug(lcCredentials).noquote() << "ManagedIdentityCredential: hosting environment"
                                     << (source == ManagedIdentitySource::None
                                             ? QStringLiteral("not found")
                                             : detail::managedIdentitySourceName(source))
                                     << "for" << d->identity.describe();

    if (source == ManagedIdentitySource::CloudShell && d->identity.isUserAssigned() &&
        !d->withinDefaultChain) {
        setConfigurationError(AuthError::authentication(
            QStringLiteral("Cloud Shell does not support user-assigned identities: leave client_id and "
                           "identity_config unset there (asked for %1).")
                .arg(d->identity.describe())));
    }
    if (source == ManagedIdentitySource::WorkloadIdentity) {
        WorkloadIdentityCredentialOptions workload;
        workload.tenantId = d->environment.tenantId;
        workload.clientId = d->identity.kind == detail::ManagedIdentityId::Kind::ClientId
                                ? d->identity.value
                                : d->environment.clientId;
        workload.tokenFilePath = d->environment.tokenFilePath;
        workload.authority = d->environment.authorityHost;
        // azure.identity posts the assertion straight to the token endpoint: the host the platform
        // set in AZURE_AUTHORITY_HOST is not validated against Microsoft's instance list.
        workload.disableInstanceDiscovery = true;
        workload.http = options.http;
        workload.clock = options.clock;
        workload.environment = options.environment;
        if (workload.clientId.isEmpty()) {
            setConfigurationError(AuthError::authentication(QStringLiteral(
                "ManagedIdentityCredential found workload identity variables but no client id: configure the "
                "environment with a client ID (AZURE_CLIENT_ID) or pass a value for client_id.")));
        }
        d->workload = new WorkloadIdentityCredential(workload, this);
    }
}

ManagedIdentityCredential::~ManagedIdentityCredential() = default;

QString ManagedIdentityCredential::hostingEnvironment() const
{
    return detail::managedIdentitySourceName(d->environment.source);
}

std::optional<AuthError> ManagedIdentityCredential::validate(const TokenRequestOptions &options,
                                                             QString *) const
{
    // tenant_id means nothing to a managed identity and is ignored, as in azure.identity.
    if (d->environment.source == ManagedIdentitySource::WorkloadIdentity) {
        if (options.scopes.isEmpty())
            return AuthError::authentication(QStringLiteral(
                "At least one scope is required, for example https://management.azure.com/.default."));
        return std::nullopt;
    }
    const auto resource = detail::resourceFromScopes(options.scopes);
    if (!resource.ok())
        return resource.error();
    return std::nullopt;
}

AppTokenCacheKey ManagedIdentityCredential::cacheKey(const QString &) const
{
    // MSAL's managed identity cache: the machine, the identity's id, and the realm "managed_identity".
    AppTokenCacheKey key;
    key.environment = d->hostName;
    key.clientId = d->identity.isUserAssigned() ? d->identity.value : SystemAssignedCacheId;
    key.realm = QStringLiteral("managed_identity");
    return key;
}

QFuture<TokenResult> ManagedIdentityCredential::requestToken(const detail::AppTokenRequest &request)
{
    const ManagedIdentitySource source = d->environment.source;
    if (source == ManagedIdentitySource::None)
        return detail::ready(TokenResult(noEndpoint()));
    if (source == ManagedIdentitySource::WorkloadIdentity)
        return d->workload->getTokenInfo({request.scopes, request.claims, {}, false});

    const auto resource = detail::resourceFromScopes(request.scopes);
    if (!resource.ok())
        return detail::ready(TokenResult(resource.error()));
    const auto identityParameters = detail::identityParameters(source, d->identity);
    if (!identityParameters.ok())
        return detail::ready(TokenResult(identityParameters.error()));
    const Parameters identity = identityParameters.value();
    const QString res = resource.value();
    const QUrl endpoint = d->environment.endpoint;
    if (!endpoint.isValid() || endpoint.host().isEmpty()) {
        return detail::ready(TokenResult(AuthError::unavailable(
            QStringLiteral(
                "ManagedIdentityCredential authentication unavailable: the %1 endpoint \"%2\" from the "
                "environment is not a URL.")
                .arg(hostingEnvironment(), endpoint.toString()))));
    }

    auto interpret = [this, source](const detail::ManagedIdentityReply &reply) {
        return detail::interpretManagedIdentityResponse(source, reply.http, d->identity, clock().now());
    };
    const QByteArray metadata = "Metadata";

    detail::HttpRequest http;
    switch (source) {
    case ManagedIdentitySource::Imds: {
        http.url =
            withQuery(endpoint, Parameters{{QStringLiteral("api-version"), QStringLiteral("2018-02-01")},
                                           {QStringLiteral("resource"), res}} +
                                    identity);
        // Unless told otherwise: a probe inside DefaultAzureCredential and inside any chain (this
        // request started from a chain's call), as azure.identity's within_credential_chain.
        const bool probe = d->probe.value_or(d->withinDefaultChain || detail::withinCredentialChain()) &&
                           !d->environment.imdsEndpointOverridden && !d->imdsAvailable;
        auto sendReal = [this, http, interpret]() {
            detail::HttpRequest real = http;
            real.headers.append(qMakePair(QByteArray("Metadata"), QByteArray("true")));
            detail::ManagedIdentityRetryPolicy policy;
            policy.maxRetries = detail::ImdsMaxRetries;
            policy.maxTransportRetries = detail::ImdsMaxTransportRetries;
            policy.retryableStatus = detail::isImdsRetryableStatus;
            policy.delay = [factor = d->http.retryBaseDelay](int retry, int status) {
                return detail::imdsRetryDelay(retry, status, factor);
            };
            detail::ManagedIdentityTransport transport = d->standardTransport();
            transport.connectTimeout = kImdsConnectTimeout;
            return d->transport->send(real, policy, transport)
                .then(QtFuture::Launch::Sync,
                      detail::guarded(this, [interpret](const detail::ManagedIdentityReply &r) {
                          return TokenResult(interpret(r));
                      }));
        };
        if (!probe)
            return sendReal();
        if (!d->probeInFlight) {
            d->probeInFlight = std::make_shared<detail::Broadcast<std::optional<AuthError>>>();
            detail::ManagedIdentityTransport transport;
            transport.connectTimeout = kProbeTimeout;
            transport.transferTimeout = kProbeTimeout;
            // The same request without the Metadata header: IMDS answers 400 at once.
            d->transport->send(http, detail::ManagedIdentityRetryPolicy::none(), transport)
                .then(QtFuture::Launch::Sync,
                      detail::guarded(
                          this, [this, broadcast = d->probeInFlight](const detail::ManagedIdentityReply &r) {
                              std::optional<AuthError> problem;
                              if (r.http.status == 0) {
                                  problem = AuthError::unavailable(
                                      QStringLiteral(
                                          "ManagedIdentityCredential authentication unavailable, no response "
                                          "from the IMDS endpoint (%1).")
                                          .arg(r.http.transportError));
                              } else if (r.http.status == 403 && r.http.body.contains("unreachable")) {
                                  problem = AuthError::unavailable(
                                      QStringLiteral("ManagedIdentityCredential authentication unavailable. "
                                                     "The network containing the IMDS endpoint is "
                                                     "unreachable (a proxy answered 403, as Docker Desktop "
                                                     "does)."));
                              } else {
                                  d->imdsAvailable = true;
                              }
                              if (problem)
                                  qCInfo(lcCredentials).noquote() << "IMDS probe:" << problem->message;
                              d->probeInFlight.reset();
                              broadcast->publish(problem);
                          }));
        }
        return d->probeInFlight->subscribe()
            .then(QtFuture::Launch::Sync,
                  detail::guarded(this,
                                  [sendReal](const std::optional<AuthError> &problem) {
                                      if (problem)
                                          return detail::ready(TokenResult(*problem));
                                      return sendReal();
                                  }))
            .unwrap();
    }
    case ManagedIdentitySource::AppService:
        http.url =
            withQuery(endpoint, Parameters{{QStringLiteral("api-version"), QStringLiteral("2019-08-01")},
                                           {QStringLiteral("resource"), res}} +
                                    identity);
        http.headers = {{"X-IDENTITY-HEADER", d->environment.secret.reveal()}, {metadata, "true"}};
        break;
    case ManagedIdentitySource::AzureMl:
        http.url =
            withQuery(endpoint, Parameters{{QStringLiteral("api-version"), QStringLiteral("2017-09-01")},
                                           {QStringLiteral("resource"), res}} +
                                    identity);
        http.headers = {{"secret", d->environment.secret.reveal()}, {metadata, "true"}};
        break;
    case ManagedIdentitySource::CloudShell: {
        http.method = "POST";
        http.url = endpoint;
        http.headers = {{metadata, "true"}, {"Content-Type", "application/x-www-form-urlencoded"}};
        http.body = detail::formEncode(Parameters{{QStringLiteral("resource"), res}} + identity);
        break;
    }
    case ManagedIdentitySource::ServiceFabric: {
        if (endpoint.scheme() != QStringLiteral("https")) {
            return detail::ready(TokenResult(AuthError::authentication(
                QStringLiteral(
                    "Service Fabric's IDENTITY_ENDPOINT must be an https URL (it is %1): its secret "
                    "header is never sent in the clear.")
                    .arg(endpoint.toString()))));
        }
        const std::optional<QByteArray> pin = detail::normalizeThumbprint(d->environment.thumbprint);
        if (!pin) {
            return detail::ready(TokenResult(AuthError::authentication(
                QStringLiteral(
                    "IDENTITY_SERVER_THUMBPRINT (\"%1\") is not a SHA-1 certificate thumbprint of 40 "
                    "hexadecimal digits.")
                    .arg(d->environment.thumbprint))));
        }
        Parameters query{{QStringLiteral("api-version"), QStringLiteral("2019-07-01-preview")},
                         {QStringLiteral("resource"), res}};
        if (!request.claims.isEmpty()) {
            // A claims challenge means the cached token was revoked: say which one to replace.
            const AppTokenCacheKey key = cacheKey({});
            const auto cached = tokenCache().findAppToken(key.environment, key.clientId, key.realm,
                                                          request.scopes, clock().now(), 1);
            if (cached) {
                query.append({QStringLiteral("token_sha256_to_refresh"),
                              detail::sha256Hex(cached->secret.revealString())});
            }
        }
        http.url = withQuery(endpoint, query);
        http.headers = {{"Secret", d->environment.secret.reveal()}};
        detail::ManagedIdentityTransport transport = d->standardTransport();
        transport.pinnedSha1 = *pin;
        return d->transport->send(http, d->standardRetries(), transport)
            .then(QtFuture::Launch::Sync,
                  detail::guarded(this, [interpret](const detail::ManagedIdentityReply &reply) {
                      if (reply.certificateRejected) {
                          AuthError error = AuthError::authentication(QStringLiteral(
                              "The Service Fabric managed identity endpoint's TLS certificate does not have "
                              "the "
                              "thumbprint in IDENTITY_SERVER_THUMBPRINT; the connection was refused before "
                              "anything was sent."));
                          error.correlationId = reply.http.clientRequestId;
                          return TokenResult(error);
                      }
                      return TokenResult(interpret(reply));
                  }));
    }
    case ManagedIdentitySource::AzureArc: {
        http.url =
            withQuery(endpoint, Parameters{{QStringLiteral("api-version"), QStringLiteral("2020-06-01")},
                                           {QStringLiteral("resource"), res}} +
                                    identity);
        http.headers = {{metadata, "true"}};
        return d->transport->send(http, d->standardRetries(), d->standardTransport())
            .then(QtFuture::Launch::Sync,
                  detail::guarded(
                      this,
                      [this, http, interpret](const detail::ManagedIdentityReply &challenge) {
                          const auto realm = detail::interpretArcChallenge(challenge.http);
                          if (!realm.ok())
                              return detail::ready(TokenResult(realm.error()));
                          const auto key = detail::readArcKeyFile(realm.value(), d->arcKeyDirectory);
                          if (!key.ok())
                              return detail::ready(TokenResult(key.error()));
                          detail::HttpRequest answer = http;
                          answer.headers.append(
                              qMakePair(QByteArray("Authorization"), "Basic " + key.value().reveal()));
                          return d->transport->send(answer, d->standardRetries(), d->standardTransport())
                              .then(QtFuture::Launch::Sync,
                                    detail::guarded(this,
                                                    [interpret](const detail::ManagedIdentityReply &reply) {
                                                        return TokenResult(interpret(reply));
                                                    }));
                      }))
            .unwrap();
    }
    case ManagedIdentitySource::None:
    case ManagedIdentitySource::WorkloadIdentity:
        break;
    }
    return d->transport->send(http, d->standardRetries(), d->standardTransport())
        .then(QtFuture::Launch::Sync,
              detail::guarded(this, [interpret](const detail::ManagedIdentityReply &reply) {
                  return TokenResult(interpret(reply));
              }));
}

} // namespace azid
