#include "azid/azuredeveloperclicredential.h"

#include "developertool.h"
#include "futures.h"
#include "logging.h"

namespace azid {
namespace {

const QString kNotFound = QStringLiteral(
    "Azure Developer CLI could not be found. Please visit https://aka.ms/azure-dev for installation "
    "instructions and then, once installed, authenticate to your Azure account using 'azd auth login'.");
const QString kNotLoggedIn = QStringLiteral(
    "Please run 'azd auth login' from a command prompt to authenticate before using this credential.");
const QString kClaimsUnsupported = QStringLiteral(
    "Claims challenges are not supported by the Azure Developer CLI version you are using. Please update to "
    "version 1.18.1 or later.");
const QString kTroubleshoot =
    QStringLiteral("To mitigate this issue, please refer to the troubleshooting guidelines here at "
                   "https://aka.ms/azsdk/python/identity/azdevclicredential/troubleshoot.");

} // namespace

AzureDeveloperCliCredential::AzureDeveloperCliCredential(const AzureDeveloperCliCredentialOptions &options,
                                                         QObject *parent)
    : QObject(parent),
      m_tool(std::make_unique<detail::DeveloperTool>(options, QStringLiteral("Azure Developer CLI")))
{}

AzureDeveloperCliCredential::~AzureDeveloperCliCredential() = default;

std::optional<AuthError> AzureDeveloperCliCredential::configurationError() const
{
    return m_tool->configurationError();
}

QFuture<TokenResult> AzureDeveloperCliCredential::getTokenInfo(const TokenRequestOptions &options)
{
    const Result<detail::ToolRequest> checked =
        m_tool->checkRequest(options, detail::DeveloperTool::ScopeRule::OneOrMoreScopes);
    if (!checked)
        return detail::ready(TokenResult(checked.error()));
    const QString &tenant = checked.value().tenant;

    QStringList arguments{QStringLiteral("auth"), QStringLiteral("token"), QStringLiteral("--output"),
                          QStringLiteral("json"), QStringLiteral("--no-prompt")};
    for (const QString &scope : options.scopes)
        arguments << QStringLiteral("--scope") << scope;
    if (!tenant.isEmpty())
        arguments << QStringLiteral("--tenant-id") << tenant;
    if (!options.claims.trimmed().isEmpty())
        arguments << QStringLiteral("--claims") << detail::encodeClaims(options.claims);

    return m_tool->run(QStringLiteral("azd"), arguments, QStringLiteral("NO_COLOR"), QStringLiteral("true"))
        .then(QtFuture::Launch::Sync,
              detail::guarded(this, [this](const ProcessOutcome &outcome) { return interpret(outcome); }));
}

TokenResult AzureDeveloperCliCredential::interpret(const ProcessOutcome &outcome) const
{
    if (outcome.status == ProcessOutcome::Status::NotFound)
        return AuthError::unavailable(kNotFound);
    // A crash is a failed run of the tool, as a negative return code is in Python.
    if (outcome.status != ProcessOutcome::Status::Finished &&
        outcome.status != ProcessOutcome::Status::Crashed)
        return m_tool->notRun(outcome, QStringLiteral("Failed to invoke the Azure Developer CLI."));

    const QByteArray &standardOutput = outcome.standardOutput.reveal();
    const QString standardError = QString::fromUtf8(outcome.standardError);
    if (outcome.exitCode != 0) {
        const QString combined = QString::fromUtf8(standardOutput) + standardError;
        if (outcome.exitCode == 127 || standardError.startsWith(QStringLiteral("'azd' is not recognized")))
            return AuthError::unavailable(kNotFound + m_tool->said(outcome.standardError));
        if (combined.contains(QStringLiteral("not logged in, run `azd auth login` to login")) &&
            !combined.contains(QStringLiteral("AADSTS")))
            return AuthError::unavailable(kNotLoggedIn);
        if (combined.contains(QStringLiteral("unknown flag: --claims")))
            return AuthError::unavailable(kClaimsUnsupported);
        QString message = detail::azdErrorMessage(standardOutput, outcome.standardError);
        if (message.isEmpty())
            message = detail::redactTokens(standardError).trimmed();
        if (message.isEmpty())
            message = QStringLiteral("Failed to invoke Azure Developer CLI (%1).")
                          .arg(detail::DeveloperTool::exitDescription(outcome));
        return m_tool->failure(message);
    }

    std::optional<AccessTokenInfo> token = detail::parseAzdToken(standardOutput);
    if (!token) {
        QString message = detail::azdErrorMessage(standardOutput, outcome.standardError);
        if (message.isEmpty())
            message =
                QStringLiteral("Unexpected output from Azure Developer CLI: '%1'. \n%2")
                    .arg(detail::redactTokens(QString::fromUtf8(standardOutput)).trimmed(), kTroubleshoot);
        return m_tool->failure(message);
    }
    qCDebug(lcCredentials) << "AzureDeveloperCliCredential got a token expiring at" << token->expiresOn;
    return TokenResult(std::move(*token));
}

} // namespace azid
