#include "azid/workloadidentitycredential.h"

#include "azid/boundedfile.h"

#include "apptokenrequest.h"
#include "confidentialapp.h"
#include "environmentreader.h"

#include <QFile>

namespace azid {
namespace {

const QString JwtBearerAssertionType =
    QStringLiteral("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");

// The token file is read for every new token: Kubernetes rotates the projected service account token
// in place. Its contents are the assertion as they are (not trimmed), as in azure.identity.
detail::ClientCredentialFields tokenFileAssertion(const QString &path)
{
    return [path](const QUrl &) -> Result<detail::FormFields> {
        Result<QByteArray> read =
            readFileAtMost(path, MaxTokenFileBytes, QStringLiteral("The federated token file %1").arg(path));
        if (!read) {
            return AuthError::authentication(
                QStringLiteral(
                    "WorkloadIdentityCredential could not read the federated token file: %1 Check "
                    "AZURE_FEDERATED_TOKEN_FILE and that the service account token is projected into "
                    "the pod.")
                    .arg(read.error().message));
        }
        QByteArray contents = std::move(read.value());
        const Secret assertion(contents);
        scrub(contents);
        if (assertion.isEmpty()) {
            return AuthError::authentication(
                QStringLiteral("WorkloadIdentityCredential found the federated token file %1 empty.")
                    .arg(path));
        }
        return detail::FormFields{{QStringLiteral("client_assertion"), assertion.revealString()},
                                  {QStringLiteral("client_assertion_type"), JwtBearerAssertionType}};
    };
}

} // namespace

WorkloadIdentityCredential::WorkloadIdentityCredential(const WorkloadIdentityCredentialOptions &options,
                                                       QObject *parent)
    : ConfidentialClientCredential(options, parent)
{
    const detail::EnvironmentReader environment(options.environment);
    auto orEnvironment = [&environment](const QString &given, const char *variable) {
        return given.isEmpty() ? environment.value(QString::fromLatin1(variable)) : given;
    };
    ConfidentialClientOptions client = options;
    client.authority = orEnvironment(options.authority, "AZURE_AUTHORITY_HOST");
    const QString tenantId = orEnvironment(options.tenantId, "AZURE_TENANT_ID");
    const QString clientId = orEnvironment(options.clientId, "AZURE_CLIENT_ID");
    const QString tokenFilePath = orEnvironment(options.tokenFilePath, "AZURE_FEDERATED_TOKEN_FILE");

    QStringList missing;
    if (tenantId.isEmpty())
        missing << QStringLiteral("'tenant_id'");
    if (clientId.isEmpty())
        missing << QStringLiteral("'client_id'");
    if (tokenFilePath.isEmpty())
        missing << QStringLiteral("'token_file_path'");
    if (!missing.isEmpty()) {
        // azure.identity's ValueError; DefaultAzureCredential reports it as unavailable.
        setConfigurationError(AuthError::authentication(
            QStringLiteral(
                "WorkloadIdentityCredential authentication unavailable. The workload options are not "
                "fully configured. See the troubleshooting guide for more information: "
                "https://aka.ms/azsdk/python/identity/workloadidentitycredential/troubleshoot. "
                "Missing required arguments: %1 (or the variables AZURE_TENANT_ID, AZURE_CLIENT_ID, "
                "AZURE_FEDERATED_TOKEN_FILE).")
                .arg(missing.join(QStringLiteral(", ")))));
    }
    setApp(std::make_unique<detail::ConfidentialApp>(tenantId, clientId, client,
                                                     tokenFileAssertion(tokenFilePath), this));
}

} // namespace azid
