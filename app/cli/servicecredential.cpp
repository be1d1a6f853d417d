#include "servicecredential.h"

#include "azid/authorizationcodecredential.h"
#include "azid/azureclicredential.h"
#include "azid/azuredeveloperclicredential.h"
#include "azid/azurepipelinescredential.h"
#include "azid/azurepowershellcredential.h"
#include "azid/certificatecredential.h"
#include "azid/clientassertioncredential.h"
#include "azid/clientsecretcredential.h"
#include "azid/defaultazurecredential.h"
#include "azid/environmentcredential.h"
#include "azid/managedidentitycredential.h"
#include "azid/onbehalfofcredential.h"
#include "azid/visualstudiocodecredential.h"
#include "azid/workloadidentitycredential.h"

#include <QFile>

namespace azid::cli {
namespace {

using Made = Result<std::shared_ptr<TokenCredential>>;

// Reads the variables a kind needs; names every one that is missing.
class Variables
{
public:
    Variables(const QProcessEnvironment &environment, QString kind)
        : m_env(environment), m_kind(std::move(kind))
    {}

    QString required(const QString &name, const QString &override = {})
    {
        const QString value = override.isEmpty() ? m_env.value(name) : override;
        if (value.isEmpty())
            m_missing << name;
        return value;
    }
    QString optional(const QString &name) const { return m_env.value(name); }
    std::optional<AuthError> problem() const
    {
        if (m_missing.isEmpty())
            return std::nullopt;
        return AuthError::unavailable(
            QStringLiteral("--credential %1 needs the environment variable%2 %3 (not set).")
                .arg(m_kind, m_missing.size() > 1 ? QStringLiteral("s") : QString(),
                     m_missing.join(QStringLiteral(", "))));
    }

private:
    const QProcessEnvironment &m_env;
    QString m_kind;
    QStringList m_missing;
};

template <typename Options> Options confidential(const Arguments &a)
{
    Options o;
    o.authority = a.authority;
    o.disableInstanceDiscovery = a.disableInstanceDiscovery;
    o.http.caBundleFile = a.caBundle;
    o.additionallyAllowedTenants = {QStringLiteral("*")}; // --tenant on `token` asks for that tenant
    return o;
}

// An assertion file is read again for every new token: the tool that writes it may rotate it.
ClientAssertionCallback fileAssertion(const QString &path)
{
    return [path]() {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Secret();
        return Secret(file.readAll().trimmed());
    };
}

template <typename Credential, typename... Args> Made make(Args &&...args)
{
    return std::shared_ptr<TokenCredential>(std::make_shared<Credential>(std::forward<Args>(args)...));
}

Made makeDefault(const Arguments &a, const QProcessEnvironment &env)
{
    DefaultAzureCredentialOptions o;
    o.environment = env;
    o.authority = a.authority;
    o.disableInstanceDiscovery = a.disableInstanceDiscovery;
    o.http.caBundleFile = a.caBundle;
    if (!a.clientId.isEmpty())
        o.managedIdentityClientId = a.clientId;
    return make<DefaultAzureCredential>(o);
}

Made makeEnvironment(const Arguments &a, const QProcessEnvironment &env)
{
    EnvironmentCredentialOptions o;
    o.environment = env;
    o.authority = a.authority;
    o.disableInstanceDiscovery = a.disableInstanceDiscovery;
    o.http.caBundleFile = a.caBundle;
    return make<EnvironmentCredential>(o);
}

Made makeClientSecret(const Arguments &a, const QProcessEnvironment &env)
{
    Variables vars(env, a.credential);
    const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
    const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
    const QString secret = vars.required(QStringLiteral("AZURE_CLIENT_SECRET"));
    if (auto problem = vars.problem())
        return *problem;
    return make<ClientSecretCredential>(tenant, client, Secret::fromString(secret),
                                        confidential<ClientSecretCredentialOptions>(a));
}

Made makeCertificate(const Arguments &a, const QProcessEnvironment &env)
{
    Variables vars(env, a.credential);
    const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
    const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
    const QString path = vars.required(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH"));
    if (auto problem = vars.problem())
        return *problem;
    auto o = confidential<CertificateCredentialOptions>(a);
    o.password = Secret::fromString(vars.optional(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD")));
    o.sendCertificateChain = !vars.optional(QStringLiteral("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN")).isEmpty();
    return make<CertificateCredential>(tenant, client, path, o);
}

Made makeClientAssertion(const Arguments &a, const QProcessEnvironment &env)
{
    Variables vars(env, a.credential);
    const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
    const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
    const QString file = vars.required(QStringLiteral("AZURE_CLIENT_ASSERTION_FILE"));
    if (auto problem = vars.problem())
        return *problem;
    return make<ClientAssertionCredential>(tenant, client, fileAssertion(file),
                                           confidential<ClientAssertionCredentialOptions>(a));
}

Made makeAuthorizationCode(const Arguments &a, const QProcessEnvironment &env)
{
    Variables vars(env, a.credential);
    const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
    const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
    const QString code = vars.required(QStringLiteral("AZURE_AUTHORIZATION_CODE"));
    const QString redirect = vars.required(QStringLiteral("AZURE_REDIRECT_URI"));
    if (auto problem = vars.problem())
        return *problem;
    auto o = confidential<AuthorizationCodeCredentialOptions>(a);
    o.clientSecret = Secret::fromString(vars.optional(QStringLiteral("AZURE_CLIENT_SECRET")));
    return make<AuthorizationCodeCredential>(tenant, client, Secret::fromString(code), redirect, o);
}

// The on-behalf-of credential takes the certificate's bytes, not its path.
std::optional<AuthError> readOnBehalfOfCertificate(const QString &path, const Variables &vars,
                                                   OnBehalfOfCredentialOptions &o)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return AuthError::unavailable(
            QStringLiteral("Cannot read the certificate %1: %2.").arg(path, file.errorString()));
    o.clientCertificate = Secret(file.readAll());
    o.password = Secret::fromString(vars.optional(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PASSWORD")));
    return std::nullopt;
}

Made makeOnBehalfOf(const Arguments &a, const QProcessEnvironment &env)
{
    Variables vars(env, a.credential);
    const QString tenant = vars.required(QStringLiteral("AZURE_TENANT_ID"), a.tenant);
    const QString client = vars.required(QStringLiteral("AZURE_CLIENT_ID"), a.clientId);
    const QString assertion = vars.required(QStringLiteral("AZURE_USER_ASSERTION"));
    auto o = confidential<OnBehalfOfCredentialOptions>(a);
    o.clientSecret = Secret::fromString(vars.optional(QStringLiteral("AZURE_CLIENT_SECRET")));
    const QString certificate = vars.optional(QStringLiteral("AZURE_CLIENT_CERTIFICATE_PATH"));
    if (o.clientSecret.isEmpty() && certificate.isEmpty())
        vars.required(QStringLiteral("AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH"));
    if (auto problem = vars.problem())
        return *problem;
    if (!certificate.isEmpty()) {
        if (auto problem = readOnBehalfOfCertificate(certificate, vars, o))
            return *problem;
    }
    return make<OnBehalfOfCredential>(tenant, client, Secret::fromString(assertion), o);
}

Made makeManagedIdentity(const Arguments &a, const QProcessEnvironment &env)
{
    ManagedIdentityCredentialOptions o;
    o.clientId = a.clientId;
    o.environment = env;
    return make<ManagedIdentityCredential>(o);
}

Made makeWorkloadIdentity(const Arguments &a, const QProcessEnvironment &env)
{
    auto o = confidential<WorkloadIdentityCredentialOptions>(a);
    o.tenantId = a.tenant;
    o.clientId = a.clientId;
    o.environment = env;
    return make<WorkloadIdentityCredential>(o);
}

Made makeAzurePipelines(const Arguments &a, const QProcessEnvironment &env)
{
    Variables vars(env, a.credential);
    auto o = confidential<AzurePipelinesCredentialOptions>(a);
    o.tenantId = vars.required(QStringLiteral("AZURESUBSCRIPTION_TENANT_ID"), a.tenant);
    o.clientId = vars.required(QStringLiteral("AZURESUBSCRIPTION_CLIENT_ID"), a.clientId);
    o.serviceConnectionId = vars.required(QStringLiteral("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"));
    o.systemAccessToken = Secret::fromString(vars.required(QStringLiteral("SYSTEM_ACCESSTOKEN")));
    o.environment = env;
    if (auto problem = vars.problem())
        return *problem;
    return make<AzurePipelinesCredential>(o);
}

// Azure CLI, Azure Developer CLI and Azure PowerShell: a tenant and the environment of the tool.
template <typename Credential, typename Options>
Made makeDeveloperTool(const Arguments &a, const QProcessEnvironment &env)
{
    Options o;
    o.tenantId = a.tenant;
    o.environment = env;
    return make<Credential>(o);
}

Made makeVisualStudioCode(const Arguments &a, const QProcessEnvironment &)
{
    VisualStudioCodeCredentialOptions o;
    o.tenantId = a.tenant;
    return make<VisualStudioCodeCredential>(o);
}

// A --credential kind and the factory that makes it.
struct Kind
{
    QLatin1String name;
    Made (*create)(const Arguments &, const QProcessEnvironment &);
};

// In the order serviceCredentialKinds() lists them.
const Kind kKinds[] = {
    {QLatin1String("default"), &makeDefault},
    {QLatin1String("environment"), &makeEnvironment},
    {QLatin1String("client-secret"), &makeClientSecret},
    {QLatin1String("certificate"), &makeCertificate},
    {QLatin1String("client-assertion"), &makeClientAssertion},
    {QLatin1String("authorization-code"), &makeAuthorizationCode},
    {QLatin1String("on-behalf-of"), &makeOnBehalfOf},
    {QLatin1String("managed-identity"), &makeManagedIdentity},
    {QLatin1String("workload-identity"), &makeWorkloadIdentity},
    {QLatin1String("azure-pipelines"), &makeAzurePipelines},
    {QLatin1String("azure-cli"), &makeDeveloperTool<AzureCliCredential, AzureCliCredentialOptions>},
    {QLatin1String("azure-developer-cli"),
     &makeDeveloperTool<AzureDeveloperCliCredential, AzureDeveloperCliCredentialOptions>},
    {QLatin1String("azure-powershell"),
     &makeDeveloperTool<AzurePowerShellCredential, AzurePowerShellCredentialOptions>},
    {QLatin1String("visual-studio-code"), &makeVisualStudioCode},
};

} // namespace

QStringList serviceCredentialKinds()
{
    QStringList kinds;
    for (const Kind &kind : kKinds)
        kinds << QString(kind.name);
    return kinds;
}

Made makeServiceCredential(const Arguments &a, const QProcessEnvironment &env)
{
    for (const Kind &kind : kKinds) {
        if (a.credential == kind.name)
            return kind.create(a, env);
    }
    return AuthError::unavailable(
        QStringLiteral("Unknown credential kind \"%1\"; the kinds are: %2, "
                       "shared-token-cache.")
            .arg(a.credential, serviceCredentialKinds().join(QStringLiteral(", "))));
}

} // namespace azid::cli
