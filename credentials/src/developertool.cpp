#include "developertool.h"

#include "azid/boundedfile.h"

#include "authority.h"
#include "logging.h"
#include "oauth.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace azid::detail {

bool isValidCommandLineScope(const QString &scope)
{
    if (scope.isEmpty())
        return false;
    for (QChar c : scope) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
                        u == u'_' || u == u'-' || u == u'.' || u == u':' || u == u'/';
        if (!ok)
            return false;
    }
    return true;
}

QString invalidScopeMessage()
{
    return QStringLiteral(
        "An invalid scope was provided. Only alphanumeric characters, '.', '-', '_', ':', and "
        "'/' are allowed.");
}

Result<QString> scopesToResource(const QStringList &scopes)
{
    if (scopes.size() != 1)
        return AuthError::authentication(
            QStringLiteral("This credential requires exactly one scope per token request."));
    if (!isValidCommandLineScope(scopes.first()))
        return AuthError::authentication(invalidScopeMessage());
    QString resource = scopes.first();
    if (resource.endsWith(QStringLiteral("/.default")))
        resource.chop(QStringLiteral("/.default").size());
    return resource;
}

QString redactTokens(const QString &text)
{
    static const QRegularExpression jsonToken(
        QStringLiteral(R"re("(accessToken|access_token|token)"\s*:\s*"[^"]*("|$))re"));
    static const QRegularExpression jwt(
        QStringLiteral(R"re(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?)re"));
    static const QRegularExpression azsdk(QStringLiteral(R"re(azsdk%[^%\s]*%)re"));
    QString result = text;
    result.replace(jsonToken, QStringLiteral(R"("\1": "****")"));
    result.replace(jwt, QStringLiteral("****"));
    result.replace(azsdk, QStringLiteral("azsdk%****%"));
    return result;
}

QString encodeClaims(const QString &claims)
{
    return QString::fromLatin1(claims.toUtf8().toBase64());
}

namespace {

std::optional<QJsonObject> jsonObject(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

QString nonEmptyString(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    return value.isString() ? value.toString() : QString();
}

} // namespace

std::optional<qint64> parseAzureCliExpiresOn(const QString &text, const QTimeZone &localZone)
{
    // Python's "%Y-%m-%d %H:%M:%S.%f"; also taken without the fraction.
    static const QRegularExpression format(
        QStringLiteral(R"(^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$)"));
    const QRegularExpressionMatch match = format.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const auto number = [&match](int group) { return match.captured(group).toInt(); };
    const QDate date(number(1), number(2), number(3));
    const QTime time(number(4), number(5), number(6));
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    const QDateTime dateTime(date, time, localZone);
    if (!dateTime.isValid())
        return std::nullopt;
    return dateTime.toSecsSinceEpoch();
}

std::optional<AccessTokenInfo> parseAzureCliToken(const QByteArray &output, const QTimeZone &localZone)
{
    const std::optional<QJsonObject> object = jsonObject(output);
    if (!object)
        return std::nullopt;
    const QString token = nonEmptyString(*object, QStringLiteral("accessToken"));
    if (token.isEmpty())
        return std::nullopt;
    std::optional<qint64> expiresOn;
    if (object->contains(QStringLiteral("expires_on")))
        expiresOn = jsonInteger(object->value(QStringLiteral("expires_on")));
    else
        expiresOn = parseAzureCliExpiresOn(nonEmptyString(*object, QStringLiteral("expiresOn")), localZone);
    if (!expiresOn)
        return std::nullopt;
    AccessTokenInfo info;
    info.token = Secret::fromString(token);
    info.expiresOn = clampEpoch(*expiresOn);
    const QString tokenType = nonEmptyString(*object, QStringLiteral("tokenType"));
    if (!tokenType.isEmpty())
        info.tokenType = tokenType;
    return info;
}

std::optional<qint64> parseAzdExpiresOn(const QString &text, const QTimeZone &localZone)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || !trimmed.contains(QLatin1Char('T')))
        return std::nullopt;
    QDateTime dateTime = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (!dateTime.isValid())
        return std::nullopt;
    if (dateTime.timeSpec() == Qt::LocalTime)
        dateTime.setTimeZone(localZone);
    return dateTime.toSecsSinceEpoch();
}

std::optional<AccessTokenInfo> parseAzdToken(const QByteArray &output, const QTimeZone &localZone)
{
    const std::optional<QJsonObject> object = jsonObject(output);
    if (!object)
        return std::nullopt;
    const QString token = nonEmptyString(*object, QStringLiteral("token"));
    const std::optional<qint64> expiresOn =
        parseAzdExpiresOn(nonEmptyString(*object, QStringLiteral("expiresOn")), localZone);
    if (token.isEmpty() || !expiresOn)
        return std::nullopt;
    AccessTokenInfo info;
    info.token = Secret::fromString(token);
    info.expiresOn = clampEpoch(*expiresOn);
    return info;
}

QString azdErrorMessage(const QByteArray &standardOutput, const QByteArray &standardError)
{
    QList<QJsonObject> lines;
    for (const QByteArray *stream : {&standardOutput, &standardError}) {
        for (const QByteArray &line : stream->split('\n')) {
            if (const std::optional<QJsonObject> object = jsonObject(line.trimmed()))
                lines.append(*object);
        }
    }
    for (const QJsonObject &object : lines) {
        const QString error = nonEmptyString(object, QStringLiteral("error")).trimmed();
        if (!error.isEmpty())
            return redactTokens(error);
    }
    for (const QJsonObject &object : lines) {
        if (object.value(QStringLiteral("type")).toString() != QStringLiteral("consoleMessage"))
            continue;
        const QString message = object.value(QStringLiteral("data"))
                                    .toObject()
                                    .value(QStringLiteral("message"))
                                    .toString()
                                    .trimmed();
        if (!message.isEmpty())
            return redactTokens(message);
    }
    return {};
}

QString powerShellScript(const QString &resource, const QString &tenant)
{
    // Az.Accounts 2.17 to 4.x returns the token as plain text only when asked for a SecureString
    // not to be; 5.0 returns a SecureString always. Either way a plain line comes out.
    return QStringLiteral(R"ps($ErrorActionPreference = 'Stop'
[version]$minimumVersion = '2.2.0'

$m = Import-Module Az.Accounts -MinimumVersion $minimumVersion -PassThru -ErrorAction SilentlyContinue

if (! $m) {
    Write-Output %1
    exit
}

$tenantId = '%2'
$params = @{ 'ResourceUrl' = '%3'; 'WarningAction' = 'Ignore' }

if ($tenantId.Length -gt 0) {
    $params['TenantId'] = $tenantId
}

$useSecureString = $m.Version -ge [version]'2.17.0' -and $m.Version -lt [version]'5.0.0'
if ($useSecureString) {
    $params['AsSecureString'] = $true
}

$token = Get-AzAccessToken @params
$tokenValue = $token.Token
if ($tokenValue -is [System.Security.SecureString]) {
    if ($PSVersionTable.PSVersion.Major -lt 7) {
        $ssPtr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($tokenValue)
        try {
            $tokenValue = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($ssPtr)
        }
        finally {
            [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($ssPtr)
        }
    }
    else {
        $tokenValue = $tokenValue | ConvertFrom-SecureString -AsPlainText
    }
}

Write-Output "`nazsdk%$($tokenValue)%$($token.ExpiresOn.ToUnixTimeSeconds())`n"
)ps")
        .arg(QLatin1String(NoAzAccountModuleMarker), tenant, resource);
}

QString powerShellEncodedCommand(const QString &script)
{
    QByteArray utf16le;
    utf16le.reserve(script.size() * 2);
    for (QChar c : script) {
        const char16_t u = c.unicode();
        utf16le.append(char(u & 0xff));
        utf16le.append(char(u >> 8));
    }
    return QString::fromLatin1(utf16le.toBase64());
}

std::optional<AccessTokenInfo> parsePowerShellToken(const QByteArray &output)
{
    static const QRegularExpression whitespace(QStringLiteral(R"(\s+)"));
    const QStringList pieces = QString::fromUtf8(output).split(whitespace, Qt::SkipEmptyParts);
    for (const QString &piece : pieces) {
        if (!piece.startsWith(QStringLiteral("azsdk%")))
            continue;
        const QStringList parts = piece.split(QLatin1Char('%'));
        if (parts.size() != 3 || parts.at(1).isEmpty())
            return std::nullopt;
        bool ok = false;
        const qint64 expiresOn = parts.at(2).toLongLong(&ok);
        if (!ok)
            return std::nullopt;
        AccessTokenInfo info;
        info.token = Secret::fromString(parts.at(1));
        info.expiresOn = clampEpoch(expiresOn);
        return info;
    }
    return std::nullopt;
}

DeveloperTool::DeveloperTool(const DeveloperToolOptions &options, QString toolName)
    : m_options(options), m_toolName(std::move(toolName))
{
    if (!m_options.processRunner)
        m_options.processRunner = ProcessRunner::createDefault();
    m_environment = m_options.environment.value_or(QProcessEnvironment::systemEnvironment());
    if (!m_options.tenantId.isEmpty() && !isValidTenantId(m_options.tenantId))
        setConfigurationError(AuthError::authentication(
            QStringLiteral(
                "Invalid tenant ID provided (\"%1\"). You can locate your tenant ID by following the "
                "instructions listed here: https://learn.microsoft.com/partner-center/"
                "find-ids-and-domain-names")
                .arg(m_options.tenantId)));
}

void DeveloperTool::setConfigurationError(const AuthError &error)
{
    if (!m_configurationError)
        m_configurationError = error.asConfigurationError();
}

TenantChoice DeveloperTool::resolveTenant(const QString &requested) const
{
    return detail::resolveTenant(m_options.tenantId, requested, m_options.additionallyAllowedTenants);
}

Result<ToolRequest> DeveloperTool::checkRequest(const TokenRequestOptions &options, ScopeRule rule) const
{
    if (m_configurationError)
        return *m_configurationError;
    ToolRequest request;
    if (rule == ScopeRule::ExactlyOneResource) {
        const Result<QString> resource = scopesToResource(options.scopes);
        if (!resource)
            return resource.error();
        request.resource = resource.value();
    } else {
        if (options.scopes.isEmpty())
            return AuthError::authentication(QStringLiteral("Missing scope in request."));
        for (const QString &scope : options.scopes) {
            if (!isValidCommandLineScope(scope))
                return AuthError::authentication(invalidScopeMessage());
        }
    }
    const TenantChoice tenant = resolveTenant(options.tenantId);
    if (!tenant.error.isEmpty())
        return AuthError::authentication(tenant.error);
    request.tenant = tenant.tenant;
    return request;
}

AuthError DeveloperTool::claimsChallengeUnsupported(const QString &command, const QString &requirement)
{
    return AuthError::unavailable(
        QStringLiteral("This credential doesn't support claims challenges. To authenticate with the required "
                       "claims, please run the following command (requires %1): %2")
            .arg(requirement, command));
}

QFuture<ProcessOutcome> DeveloperTool::run(const QString &program, const QStringList &arguments,
                                           const QString &variable, const QString &value) const
{
    ProcessRequest request;
    request.program = program;
    request.arguments = arguments;
    request.environment = m_environment;
    if (!variable.isEmpty())
        request.environment.insert(variable, value);
#ifdef Q_OS_WIN
    request.workingDirectory = m_environment.value(QStringLiteral("SYSTEMROOT"), QDir::rootPath());
#else
    // Not the application's directory: a tool must not pick up files planted there.
    request.workingDirectory = QStringLiteral("/bin");
#endif
    request.timeout = m_options.processTimeout;
    return m_options.processRunner->run(request);
}

AuthError DeveloperTool::failure(const QString &message) const
{
    return m_options.withinDefaultChain ? AuthError::unavailable(message)
                                        : AuthError::authentication(message);
}

AuthError DeveloperTool::notRun(const ProcessOutcome &outcome, const QString &message,
                                const QString &advice) const
{
    const qint64 ms = m_options.processTimeout.count();
    const QString timeout = ms == 1000       ? QStringLiteral("1 second")
                            : ms % 1000 == 0 ? QStringLiteral("%1 seconds").arg(ms / 1000)
                                             : QStringLiteral("%1 ms").arg(ms);
    QString reason;
    switch (outcome.status) {
    case ProcessOutcome::Status::TimedOut:
        reason = QStringLiteral("%1 did not finish within %2 (process_timeout) and was killed.")
                     .arg(m_toolName, timeout);
        break;
    case ProcessOutcome::Status::FailedToStart:
        reason = QStringLiteral("Failed to execute '%1': %2").arg(outcome.program, outcome.errorString);
        break;
    case ProcessOutcome::Status::Abandoned:
        reason = QStringLiteral("%1 was killed: the credential that ran it was destroyed.").arg(m_toolName);
        break;
    case ProcessOutcome::Status::TooMuchOutput:
        reason = QStringLiteral("%1 printed more than %2 KiB, far more than a token, and was killed.")
                     .arg(m_toolName)
                     .arg(MaxToolOutputBytes / 1024);
        break;
    case ProcessOutcome::Status::NotFound:
    case ProcessOutcome::Status::Finished:
    case ProcessOutcome::Status::Crashed:
        break;
    }
    QString text = reason.isEmpty() ? message : message + QLatin1Char(' ') + reason;
    text += said(outcome.standardError);
    if (!advice.isEmpty())
        text += QLatin1Char(' ') + advice;
    return AuthError::unavailable(text);
}

QString DeveloperTool::exitDescription(const ProcessOutcome &outcome)
{
    return outcome.status == ProcessOutcome::Status::Crashed
               ? QStringLiteral("it ended on a signal")
               : QStringLiteral("exit code %1").arg(outcome.exitCode);
}

QString DeveloperTool::said(const QByteArray &standardError) const
{
    const QString text = redactTokens(QString::fromUtf8(standardError)).simplified();
    if (text.isEmpty())
        return {};
    return QStringLiteral(" %1 said: %2").arg(m_toolName, text);
}

} // namespace azid::detail
