#include "azid/model/developertoolidentities.h"

#include "azid/azureclicredential.h"
#include "azid/azuredeveloperclicredential.h"
#include "azid/azurepowershellcredential.h"
#include "azid/model/jwt.h"
#include "azid/readyfuture.h"

#include <QDir>
#include <QHash>
#include <QStandardPaths>

namespace azid::model {

namespace {

const QString ResourceManagerScope = QStringLiteral("https://management.azure.com/.default");

QString programOf(DeveloperToolIdentity::Tool tool)
{
    switch (tool) {
    case DeveloperToolIdentity::Tool::AzureCli:
        return QStringLiteral("az");
    case DeveloperToolIdentity::Tool::AzureDeveloperCli:
        return QStringLiteral("azd");
    case DeveloperToolIdentity::Tool::AzurePowerShell:
        return QStringLiteral("pwsh");
    }
    return {};
}

// Whose token it is, from its claims; nothing when it is not a JWT (the tool's business).
void readClaims(const Secret &token, DeveloperToolIdentity &identity)
{
    const DecodedToken decoded = decodeJwt(token.revealString());
    if (!decoded.isJwt)
        return;
    for (const char *claim : {"upn", "unique_name", "preferred_username", "appid"}) {
        const QString value = decoded.claims.value(QLatin1String(claim)).toString();
        if (!value.isEmpty()) {
            identity.account = value;
            break;
        }
    }
    identity.tenantId = decoded.claims.value(QStringLiteral("tid")).toString();
}

} // namespace

QString DeveloperToolIdentity::toolName(Tool tool)
{
    switch (tool) {
    case Tool::AzureCli:
        return QStringLiteral("Azure CLI");
    case Tool::AzureDeveloperCli:
        return QStringLiteral("Azure Developer CLI");
    case Tool::AzurePowerShell:
        return QStringLiteral("Azure PowerShell");
    }
    return {};
}

struct DeveloperToolIdentities::State
{
    DeveloperToolOptions options;
    // One credential per tool, kept so that its tokens are cached between requests.
    QHash<int, std::shared_ptr<TokenCredential>> credentials;

    std::shared_ptr<TokenCredential> credential(DeveloperToolIdentity::Tool tool);
    bool isInstalled(DeveloperToolIdentity::Tool tool) const;
};

std::shared_ptr<TokenCredential> DeveloperToolIdentities::State::credential(DeveloperToolIdentity::Tool tool)
{
    if (auto known = credentials.value(int(tool)))
        return known;
    std::shared_ptr<TokenCredential> made;
    switch (tool) {
    case DeveloperToolIdentity::Tool::AzureCli: {
        AzureCliCredentialOptions cli;
        static_cast<DeveloperToolOptions &>(cli) = options;
        made = std::make_shared<AzureCliCredential>(cli);
        break;
    }
    case DeveloperToolIdentity::Tool::AzureDeveloperCli: {
        AzureDeveloperCliCredentialOptions developerCli;
        static_cast<DeveloperToolOptions &>(developerCli) = options;
        made = std::make_shared<AzureDeveloperCliCredential>(developerCli);
        break;
    }
    case DeveloperToolIdentity::Tool::AzurePowerShell: {
        AzurePowerShellCredentialOptions powerShell;
        static_cast<DeveloperToolOptions &>(powerShell) = options;
        made = std::make_shared<AzurePowerShellCredential>(powerShell);
        break;
    }
    }
    credentials.insert(int(tool), made);
    return made;
}

bool DeveloperToolIdentities::State::isInstalled(DeveloperToolIdentity::Tool tool) const
{
    const QProcessEnvironment environment =
        options.environment.value_or(QProcessEnvironment::systemEnvironment());
    const QStringList path =
        environment.value(QStringLiteral("PATH")).split(QDir::listSeparator(), Qt::SkipEmptyParts);
    return !QStandardPaths::findExecutable(programOf(tool), path).isEmpty();
}

DeveloperToolIdentities::DeveloperToolIdentities(DeveloperToolOptions options)
    : m_state(std::make_shared<State>())
{
    if (!options.environment)
        options.environment = QProcessEnvironment::systemEnvironment();
    m_state->options = std::move(options);
}

DeveloperToolIdentities::~DeveloperToolIdentities() = default;

QList<DeveloperToolIdentity::Tool> DeveloperToolIdentities::tools()
{
    return {DeveloperToolIdentity::Tool::AzureCli, DeveloperToolIdentity::Tool::AzureDeveloperCli,
            DeveloperToolIdentity::Tool::AzurePowerShell};
}

QFuture<DeveloperToolIdentity> DeveloperToolIdentities::detect(DeveloperToolIdentity::Tool tool)
{
    DeveloperToolIdentity identity;
    identity.tool = tool;
    if (!m_state->isInstalled(tool)) {
        identity.detail = QStringLiteral("%1 (%2) is not installed.")
                              .arg(DeveloperToolIdentity::toolName(tool), programOf(tool));
        return ready(identity);
    }
    return token(tool, ResourceManagerScope)
        .then(QtFuture::Launch::Sync, [identity](const Result<AccessToken> &token) {
            DeveloperToolIdentity found = identity;
            if (!token) {
                found.state = DeveloperToolIdentity::State::NotSignedIn;
                found.detail = token.error().message;
                return found;
            }
            found.state = DeveloperToolIdentity::State::SignedIn;
            readClaims(token.value().token, found);
            return found;
        });
}

namespace {
QFuture<QList<DeveloperToolIdentity>> detectEach(DeveloperToolIdentities *identities,
                                                 QList<DeveloperToolIdentity::Tool> rest,
                                                 QList<DeveloperToolIdentity> found)
{
    if (rest.isEmpty())
        return ready(found);
    const auto tool = rest.takeFirst();
    return identities->detect(tool)
        .then(QtFuture::Launch::Sync,
              [identities, rest, found](const DeveloperToolIdentity &identity) {
                  return detectEach(identities, rest, found + QList<DeveloperToolIdentity>{identity});
              })
        .unwrap();
}
} // namespace

QFuture<QList<DeveloperToolIdentity>> DeveloperToolIdentities::detect()
{
    return detectEach(this, tools(), {});
}

QFuture<Result<AccessToken>> DeveloperToolIdentities::token(DeveloperToolIdentity::Tool tool,
                                                            const QString &scope)
{
    auto credential = m_state->credential(tool);
    return credential->getToken({scope}).then(
        QtFuture::Launch::Sync, [credential](const Result<AccessToken> &token) { return token; });
}

} // namespace azid::model
