#include "azid/azurepipelinescredential.h"

#include "apptokenrequest.h"
#include "confidentialapp.h"
#include "environmentreader.h"
#include "futures.h"
#include "logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <algorithm>

namespace azid {
namespace {

const QString OidcRequestUriVariable = QStringLiteral("SYSTEM_OIDCREQUESTURI");
const QString JwtBearerAssertionType =
    QStringLiteral("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");

// Headers of an Azure DevOps answer that help its support find the request (none is secret).
QString diagnosticHeaders(const detail::HttpResponse &response)
{
    QStringList lines;
    QList<QByteArray> names = response.headers.keys();
    std::sort(names.begin(), names.end());
    for (const QByteArray &name : names) {
        if (name.startsWith("x-vss-") || name == "x-msedge-ref" || name == "activityid" ||
            name == "x-tfs-processid")
            lines << QString::fromLatin1(name) + QStringLiteral(": ") +
                         QString::fromUtf8(response.headers.value(name));
    }
    return lines.join(QStringLiteral("; "));
}

AuthError oidcError(const detail::HttpResponse &response, const QString &what)
{
    QString message = QStringLiteral("AzurePipelinesCredential authentication failed: %1").arg(what);
    if (response.status != 0)
        message += QStringLiteral(" Status code: %1.").arg(response.status);
    else
        message += QLatin1Char(' ') + response.transportError;
    if (response.status == 302 || response.status == 301 || response.status == 303) {
        message +=
            QStringLiteral(" The endpoint redirected to a sign-in page: the system access token was not "
                           "accepted. Check that System.AccessToken is passed to the task.");
    } else if (response.status == 401 || response.status == 403) {
        message += QStringLiteral(" The system access token was refused; check that System.AccessToken is "
                                  "passed to the task and that the pipeline may use the service connection.");
    }
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    const QString serverMessage = body.value(QStringLiteral("message")).toString();
    if (!serverMessage.isEmpty())
        message += QStringLiteral(" Azure DevOps says: ") + serverMessage.section(QLatin1Char('\n'), 0, 0);
    const QString headers = diagnosticHeaders(response);
    if (!headers.isEmpty())
        message += QStringLiteral(" (") + headers + QLatin1Char(')');
    AuthError error = AuthError::authentication(message);
    error.httpStatus = response.status;
    error.correlationId = response.clientRequestId;
    if (response.status == 0)
        error.reason = response.transportReason;
    else if (response.status == 200) // a success whose body is not what the protocol says
        error.reason = ErrorReason::Protocol;
    return error;
}

} // namespace

struct AzurePipelinesCredential::Private
{
    detail::EnvironmentReader environment;
    std::unique_ptr<detail::ConfidentialApp> app;
    QString serviceConnectionId;
    Secret systemAccessToken;
    // The OIDC token fetched for the request being sent. Requests that overlap may use each other's:
    // any token the endpoint issued for this service connection is as good as another.
    std::shared_ptr<Secret> assertion = std::make_shared<Secret>();
};

AzurePipelinesCredential::AzurePipelinesCredential(const AzurePipelinesCredentialOptions &options,
                                                   QObject *parent)
    : AppTokenCredential(options.cache, options.clock, parent), d(std::make_unique<Private>())
{
    d->environment = detail::EnvironmentReader(options.environment);
    d->serviceConnectionId = options.serviceConnectionId;
    d->systemAccessToken = options.systemAccessToken;

    ConfidentialClientOptions client = options;
    if (client.authority.isEmpty())
        client.authority = d->environment.value(QStringLiteral("AZURE_AUTHORITY_HOST"));
    QStringList missing;
    if (options.tenantId.isEmpty())
        missing << QStringLiteral("tenant_id");
    if (options.clientId.isEmpty())
        missing << QStringLiteral("client_id");
    if (options.serviceConnectionId.isEmpty())
        missing << QStringLiteral("service_connection_id");
    if (options.systemAccessToken.isEmpty())
        missing << QStringLiteral("system_access_token");
    if (!missing.isEmpty()) {
        setConfigurationError(AuthError::authentication(
            QStringLiteral(
                "AzurePipelinesCredential needs %1: pass the service connection's tenant and client "
                "ids, its id (the resourceId in its URL) and the pipeline's $(System.AccessToken).")
                .arg(missing.join(QStringLiteral(", ")))));
    }
    auto assertion = d->assertion;
    detail::ClientCredentialFields fields = [assertion](const QUrl &) -> Result<detail::FormFields> {
        if (assertion->isEmpty())
            return AuthError::authentication(
                QStringLiteral("AzurePipelinesCredential has no OIDC token to send."));
        return detail::FormFields{{QStringLiteral("client_assertion"), assertion->revealString()},
                                  {QStringLiteral("client_assertion_type"), JwtBearerAssertionType}};
    };
    d->app = std::make_unique<detail::ConfidentialApp>(options.tenantId, options.clientId, client,
                                                       std::move(fields), this);
    if (d->app->configurationError())
        setConfigurationError(*d->app->configurationError());
}

AzurePipelinesCredential::~AzurePipelinesCredential() = default;

Result<QString> AzurePipelinesCredential::validate(const TokenRequestOptions &options) const
{
    if (!d->environment.isSet(OidcRequestUriVariable)) {
        return AuthError::unavailable(QStringLiteral(
            "Missing value for the SYSTEM_OIDCREQUESTURI environment variable. AzurePipelinesCredential is "
            "intended for use in Azure Pipelines where the SYSTEM_OIDCREQUESTURI environment variable is "
            "set."));
    }
    return d->app->validate(options);
}

AppTokenCacheKey AzurePipelinesCredential::cacheKey(const QString &tenant) const
{
    return d->app->cacheKey(tenant);
}

QFuture<TokenResult> AzurePipelinesCredential::requestToken(const detail::AppTokenRequest &request)
{
    QString base = d->environment.value(OidcRequestUriVariable).trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    QUrl url(base);
    if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty()) {
        return detail::ready(TokenResult(AuthError::authentication(
            QStringLiteral("AzurePipelinesCredential: SYSTEM_OIDCREQUESTURI (\"%1\") is not a URL.")
                .arg(base))));
    }
    QUrlQuery query(url);
    query.addQueryItem(QStringLiteral("api-version"), QStringLiteral("7.1"));
    query.addQueryItem(QStringLiteral("serviceConnectionId"),
                       QString::fromUtf8(QUrl::toPercentEncoding(d->serviceConnectionId)));
    url.setQuery(query);

    detail::HttpRequest oidc;
    oidc.method = "POST";
    oidc.url = url;
    oidc.headers = {{"Content-Type", "application/json"},
                    {"Authorization", "Bearer " + d->systemAccessToken.reveal()},
                    // Without it Azure DevOps redirects a refused token to a sign-in page.
                    {"X-TFS-FedAuthRedirect", "Suppress"}};
    return d->app->client()
        .http()
        ->send(oidc)
        .then(QtFuture::Launch::Sync,
              detail::guarded(
                  this,
                  [this, request](const detail::HttpResponse &response) {
                      if (response.status != 200) {
                          return detail::ready(TokenResult(
                              oidcError(response, QStringLiteral("Unexpected response from OIDC token "
                                                                 "endpoint."))));
                      }
                      QJsonParseError parseError;
                      const QJsonDocument doc = QJsonDocument::fromJson(response.body, &parseError);
                      if (!doc.isObject()) {
                          return detail::ready(TokenResult(oidcError(
                              response, QStringLiteral("The OIDC token endpoint's answer is not JSON "
                                                       "(%1).")
                                            .arg(parseError.errorString()))));
                      }
                      const QString token = doc.object().value(QStringLiteral("oidcToken")).toString();
                      if (token.isEmpty()) {
                          return detail::ready(TokenResult(
                              oidcError(response, QStringLiteral("OIDC token not found in response."))));
                      }
                      *d->assertion = Secret::fromString(token);
                      return d->app->requestToken(
                          request, {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}});
                  }))
        .unwrap();
}

} // namespace azid
