#include "azid/azurepowershellcredential.h"

#include "developertool.h"
#include "futures.h"
#include "logging.h"

namespace azid {
namespace {

const QString kNotInstalled = QStringLiteral("PowerShell is not installed.");
const QString kNoAzAccountModule = QStringLiteral("Az.Account module >= 2.2.0 is not installed.");
const QString kRunConnectAzAccount = QStringLiteral("Please run \"Connect-AzAccount\" to set up account.");
const QString kBlockedByExecutionPolicy =
    QStringLiteral("Execution policy prevented invoking Azure PowerShell.");
const QString kTroubleshoot =
    QStringLiteral("To mitigate this issue, please refer to the troubleshooting guidelines here at "
                   "https://aka.ms/azsdk/python/identity/powershellcredential/troubleshoot.");

QStringList powerShellPrograms()
{
#ifdef Q_OS_WIN
    // PowerShell 7 first, then Windows PowerShell, as azure.identity does on Windows.
    return {QStringLiteral("pwsh"), QStringLiteral("powershell")};
#else
    return {QStringLiteral("pwsh")};
#endif
}

} // namespace

AzurePowerShellCredential::AzurePowerShellCredential(const AzurePowerShellCredentialOptions &options,
                                                     QObject *parent)
    : QObject(parent), m_tool(std::make_unique<detail::DeveloperTool>(options, QStringLiteral("PowerShell")))
{}

AzurePowerShellCredential::~AzurePowerShellCredential() = default;

std::optional<AuthError> AzurePowerShellCredential::configurationError() const
{
    return m_tool->configurationError();
}

QFuture<TokenResult> AzurePowerShellCredential::getTokenInfo(const TokenRequestOptions &options)
{
    const Result<detail::ToolRequest> checked =
        m_tool->checkRequest(options, detail::DeveloperTool::ScopeRule::ExactlyOneResource);
    if (!checked)
        return detail::ready(TokenResult(checked.error()));
    const detail::ToolRequest &request = checked.value();

    if (!options.claims.trimmed().isEmpty()) {
        QString command =
            QStringLiteral("Connect-AzAccount -ClaimsChallenge %1").arg(detail::encodeClaims(options.claims));
        if (!request.tenant.isEmpty())
            command += QStringLiteral(" -Tenant ") + request.tenant;
        return detail::ready(TokenResult(detail::DeveloperTool::claimsChallengeUnsupported(
            command, QStringLiteral("Az.Accounts module version 5.2.0 or later"))));
    }

    const QStringList arguments{
        QStringLiteral("-NoProfile"), QStringLiteral("-NonInteractive"), QStringLiteral("-EncodedCommand"),
        detail::powerShellEncodedCommand(detail::powerShellScript(request.resource, request.tenant))};
    return runPowerShell(powerShellPrograms(), arguments);
}

QFuture<TokenResult> AzurePowerShellCredential::runPowerShell(QStringList programs,
                                                              const QStringList &arguments)
{
    const QString program = programs.takeFirst();
    return m_tool->run(program, arguments, {}, {})
        .then(QtFuture::Launch::Sync,
              detail::guarded(this,
                              [this, programs, arguments](const ProcessOutcome &outcome) {
                                  if (outcome.status == ProcessOutcome::Status::NotFound &&
                                      !programs.isEmpty())
                                      return runPowerShell(programs, arguments);
                                  return detail::ready(interpret(outcome));
                              }))
        .unwrap();
}

TokenResult AzurePowerShellCredential::interpret(const ProcessOutcome &outcome) const
{
    if (outcome.status == ProcessOutcome::Status::NotFound)
        return AuthError::unavailable(kNotInstalled);
    // A crash is a failed run of the tool, as a negative return code is in Python.
    if (outcome.status != ProcessOutcome::Status::Finished &&
        outcome.status != ProcessOutcome::Status::Crashed)
        return m_tool->notRun(outcome, QStringLiteral("Failed to invoke PowerShell."), kTroubleshoot);

    const QByteArray &standardOutput = outcome.standardOutput.reveal();
    const QString standardError = QString::fromUtf8(outcome.standardError);
    if (outcome.exitCode == 0 && standardOutput.contains(detail::NoAzAccountModuleMarker))
        return AuthError::unavailable(kNoAzAccountModule);
    if (outcome.exitCode != 0) {
        qCDebug(lcCredentials).noquote() << "PowerShell exited with" << outcome.exitCode
                                         << "and said:" << detail::redactTokens(standardError);
        if (outcome.exitCode == 127 || standardError.contains(QStringLiteral("' is not recognized")))
            return AuthError::unavailable(kNotInstalled + m_tool->said(outcome.standardError));
        if (standardError.contains(QStringLiteral("Run Connect-AzAccount to login")))
            return AuthError::unavailable(kRunConnectAzAccount + m_tool->said(outcome.standardError));
        if (standardError.contains(QStringLiteral("AuthorizationManager check failed")))
            return AuthError::unavailable(kBlockedByExecutionPolicy + m_tool->said(outcome.standardError));
        // azure.identity treats every other failure of PowerShell as unavailability too.
        return AuthError::unavailable(QStringLiteral("Failed to invoke PowerShell (%1).")
                                          .arg(detail::DeveloperTool::exitDescription(outcome)) +
                                      m_tool->said(outcome.standardError));
    }

    std::optional<AccessTokenInfo> token = detail::parsePowerShellToken(standardOutput);
    if (!token) {
        return m_tool->failure(
            QStringLiteral("Unexpected output from Get-AzAccessToken: \"%1\". %2")
                .arg(detail::redactTokens(QString::fromUtf8(standardOutput)).trimmed(), kTroubleshoot));
    }
    qCDebug(lcCredentials) << "AzurePowerShellCredential got a token expiring at" << token->expiresOn;
    return TokenResult(std::move(*token));
}

} // namespace azid
