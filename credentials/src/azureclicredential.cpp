#include "azid/azureclicredential.h"

#include "developertool.h"
#include "futures.h"
#include "logging.h"

namespace azid {
namespace {

const QString kNotFound = QStringLiteral("Azure CLI not found on path.");
const QString kNotLoggedIn = QStringLiteral("Please run 'az login' to set up an account.");
const QString kTroubleshoot =
    QStringLiteral("To mitigate this issue, please refer to the troubleshooting guidelines here at "
                   "https://aka.ms/azsdk/python/identity/azclicredential/troubleshoot.");

bool isValidSubscription(const QString &subscription)
{
    for (QChar c : subscription) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
                        u == u'_' || u == u'-' || u == u'.' || u == u' ';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

AzureCliCredential::AzureCliCredential(const AzureCliCredentialOptions &options, QObject *parent)
    : QObject(parent), m_tool(std::make_unique<detail::DeveloperTool>(options, QStringLiteral("Azure CLI"))),
      m_subscription(options.subscription)
{
    if (!isValidSubscription(m_subscription))
        m_tool->setConfigurationError(AuthError::authentication(
            QStringLiteral(
                "Invalid subscription (\"%1\"): only letters, digits, '_', '-', '.' and spaces are "
                "allowed. You can locate your subscription by following the instructions listed "
                "here: https://aka.ms/azsdk/python/identity/subscription")
                .arg(m_subscription)));
}

AzureCliCredential::~AzureCliCredential() = default;

std::optional<AuthError> AzureCliCredential::configurationError() const
{
    return m_tool->configurationError();
}

QFuture<TokenResult> AzureCliCredential::getTokenInfo(const TokenRequestOptions &options)
{
    const Result<detail::ToolRequest> checked =
        m_tool->checkRequest(options, detail::DeveloperTool::ScopeRule::ExactlyOneResource);
    if (!checked)
        return detail::ready(TokenResult(checked.error()));
    const detail::ToolRequest &request = checked.value();

    if (!options.claims.trimmed().isEmpty()) {
        QString command =
            QStringLiteral("az login --claims-challenge %1").arg(detail::encodeClaims(options.claims));
        if (!request.tenant.isEmpty())
            command += QStringLiteral(" --tenant ") + request.tenant;
        command += QStringLiteral(" --scope ") + options.scopes.first();
        return detail::ready(TokenResult(detail::DeveloperTool::claimsChallengeUnsupported(
            command, QStringLiteral("Azure CLI version 2.76.0 or later"))));
    }

    QStringList arguments{QStringLiteral("account"),    QStringLiteral("get-access-token"),
                          QStringLiteral("--output"),   QStringLiteral("json"),
                          QStringLiteral("--resource"), request.resource};
    if (!request.tenant.isEmpty())
        arguments << QStringLiteral("--tenant") << request.tenant;
    if (!m_subscription.isEmpty())
        arguments << QStringLiteral("--subscription") << m_subscription;

    return m_tool
        ->run(QStringLiteral("az"), arguments, QStringLiteral("AZURE_CORE_NO_COLOR"), QStringLiteral("true"))
        .then(QtFuture::Launch::Sync,
              detail::guarded(this, [this](const ProcessOutcome &outcome) { return interpret(outcome); }));
}

TokenResult AzureCliCredential::interpret(const ProcessOutcome &outcome) const
{
    if (outcome.status == ProcessOutcome::Status::NotFound)
        return AuthError::unavailable(kNotFound);
    // A crash is a failed run of the tool, as a negative return code is in Python.
    if (outcome.status != ProcessOutcome::Status::Finished &&
        outcome.status != ProcessOutcome::Status::Crashed)
        return m_tool->notRun(outcome, QStringLiteral("Failed to invoke the Azure CLI."));

    const QString standardError = QString::fromUtf8(outcome.standardError);
    if (outcome.exitCode != 0) {
        if (outcome.exitCode == 127 || standardError.startsWith(QStringLiteral("'az' is not recognized")))
            return AuthError::unavailable(kNotFound + m_tool->said(outcome.standardError));
        if ((standardError.contains(QStringLiteral("az login")) ||
             standardError.contains(QStringLiteral("az account set"))) &&
            !standardError.contains(QStringLiteral("AADSTS")))
            return AuthError::unavailable(kNotLoggedIn + m_tool->said(outcome.standardError));
        // The CLI's own words: AADSTS errors (expired sign-in, MFA required...) surface verbatim.
        const QString message = detail::redactTokens(standardError).trimmed();
        return m_tool->failure(message.isEmpty() ? QStringLiteral("Failed to invoke Azure CLI (%1).")
                                                       .arg(detail::DeveloperTool::exitDescription(outcome))
                                                 : message);
    }

    std::optional<AccessTokenInfo> token = detail::parseAzureCliToken(outcome.standardOutput.reveal());
    if (!token) {
        return m_tool->failure(
            QStringLiteral("Unexpected output from Azure CLI: '%1'. \n%2")
                .arg(detail::redactTokens(outcome.standardOutput.revealString()).trimmed(), kTroubleshoot));
    }
    qCDebug(lcCredentials) << "AzureCliCredential got a token expiring at" << token->expiresOn;
    return TokenResult(std::move(*token));
}

} // namespace azid
