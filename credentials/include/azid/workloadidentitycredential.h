#pragma once

#include "azid/apptokencredential.h"
#include "azid/confidentialclientoptions.h"

#include <QProcessEnvironment>
#include <QString>

#include <memory>
#include <optional>

namespace azid {

// The inherited authority defaults to AZURE_AUTHORITY_HOST (read from `environment`).
struct WorkloadIdentityCredentialOptions : ConfidentialClientOptions
{
    QString tenantId;      // empty: AZURE_TENANT_ID
    QString clientId;      // empty: AZURE_CLIENT_ID
    QString tokenFilePath; // empty: AZURE_FEDERATED_TOKEN_FILE
    // Where the AZURE_* variables are read, at construction. Empty: the process environment.
    std::optional<QProcessEnvironment> environment;
};

// azure.identity's WorkloadIdentityCredential (Microsoft Entra Workload ID, e.g. in Kubernetes): the
// service account token in the token file is the client assertion of an app that trusts its
// issuer (a ClientAssertionCredential whose assertion is the file). The file is read again for
// every new token, so rotated tokens are picked up.
class WorkloadIdentityCredential final : public ConfidentialClientCredential
{
    Q_OBJECT
public:
    explicit WorkloadIdentityCredential(const WorkloadIdentityCredentialOptions &options = {},
                                        QObject *parent = nullptr);

    QString name() const override { return QStringLiteral("WorkloadIdentityCredential"); }
};

} // namespace azid
