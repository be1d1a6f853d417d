#include "output.h"

#include "azid/keychain/storagefailure.h"
#include "azid/model/jwt.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

namespace azid::cli {

int exitCodeFor(const AuthError &error)
{
    // A misconfigured credential (azure.identity's ValueError) could not even try: 3, as the contract
    // had it before configuration errors were reported at construction.
    if (error.invalidConfiguration)
        return ExitUnavailable;
    switch (error.kind) {
    case ErrorKind::CredentialUnavailable:
        return ExitUnavailable;
    case ErrorKind::AuthenticationRequired:
        return ExitInteractionRequired;
    case ErrorKind::ClientAuthentication:
        return ExitAuthenticationFailed;
    }
    return ExitAuthenticationFailed;
}

void printResult(const QByteArray &text)
{
    std::fwrite(text.constData(), 1, static_cast<size_t>(text.size()), stdout);
    if (!text.endsWith('\n'))
        std::fputc('\n', stdout);
    std::fflush(stdout);
}

void printNote(const QString &text)
{
    std::fprintf(stderr, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stderr);
}

void printError(const AuthError &error, OutputFormat format)
{
    if (format == OutputFormat::Json) {
        QJsonObject object{{QStringLiteral("error"), AuthError::kindName(error.kind)},
                           {QStringLiteral("message"), error.message},
                           {QStringLiteral("exit_code"), exitCodeFor(error)}};
        if (!error.oauthError.isEmpty())
            object.insert(QStringLiteral("oauth_error"), error.oauthError);
        if (const StorageFailure reason = storageFailure(error); reason != StorageFailure::None)
            object.insert(QStringLiteral("reason"), storageFailureName(reason));
        if (!error.errorCodes.isEmpty()) {
            QJsonArray codes;
            for (int code : error.errorCodes)
                codes.append(code);
            object.insert(QStringLiteral("error_codes"), codes);
        }
        if (!error.correlationId.isEmpty())
            object.insert(QStringLiteral("correlation_id"), error.correlationId);
        if (!error.traceId.isEmpty())
            object.insert(QStringLiteral("trace_id"), error.traceId);
        if (error.kind == ErrorKind::AuthenticationRequired) {
            object.insert(QStringLiteral("scopes"), QJsonArray::fromStringList(error.scopes));
            if (!error.claims.isEmpty())
                object.insert(QStringLiteral("claims"), error.claims);
        }
        printNote(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
        return;
    }
    printNote(QStringLiteral("azid-cli: ") + error.toString());
}

void printUsageError(const QString &message, OutputFormat format)
{
    if (format == OutputFormat::Json) {
        printNote(QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("error"), QStringLiteral("UsageError")},
                                      {QStringLiteral("message"), message},
                                      {QStringLiteral("exit_code"), ExitUsage}})
                .toJson(QJsonDocument::Compact)));
        return;
    }
    printNote(QStringLiteral("azid-cli: ") + message +
              QStringLiteral(" (azid-cli --help explains the options)"));
}

QString terminalSafe(QString text)
{
    for (QChar &c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || (u >= 0x7f && u <= 0x9f))
            c = QLatin1Char('?');
    }
    return text;
}

QByteArray formatTable(const QList<QStringList> &sourceRows)
{
    // Cells hold text from outside (user names of imported records, tenants, servers' answers):
    // escape sequences in them must not reach the terminal.
    QList<QStringList> rows;
    rows.reserve(sourceRows.size());
    for (const QStringList &row : sourceRows) {
        QStringList safe;
        safe.reserve(row.size());
        for (const QString &cell : row)
            safe.append(terminalSafe(cell));
        rows.append(safe);
    }
    QList<qsizetype> widths;
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.append(0);
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    QString out;
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i].leftJustified(widths[i] + 2) : row[i];
        out += line + QLatin1Char('\n');
    }
    return out.toUtf8();
}

namespace {

// The tenant that issued the token (its tid claim); empty for a token that is not a JWT.
QString tenantOfToken(const AccessTokenInfo &token)
{
    return model::decodeJwt(token.token.revealString()).claims.value(QStringLiteral("tid")).toString();
}

} // namespace

QByteArray formatToken(const AccessTokenInfo &token, OutputFormat format)
{
    switch (format) {
    case OutputFormat::Raw:
        return token.token.reveal();
    case OutputFormat::Table: {
        const auto local = [](qint64 epoch) {
            return QDateTime::fromSecsSinceEpoch(epoch).toString(Qt::ISODate);
        };
        return formatTable(
            {{QStringLiteral("token_type"), token.tokenType},
             {QStringLiteral("expires_on"), local(token.expiresOn)},
             {QStringLiteral("refresh_on"), token.refreshOn ? local(*token.refreshOn) : QStringLiteral("-")},
             {QStringLiteral("token"), token.token.revealString()}});
    }
    case OutputFormat::Az:
        return formatAzToken(token, tenantOfToken(token));
    case OutputFormat::Json:
        break;
    }
    // Written by hand to keep the contract's key order.
    const QByteArray tokenJson =
        QJsonDocument(QJsonArray{token.token.revealString()}).toJson(QJsonDocument::Compact);
    const QByteArray typeJson = QJsonDocument(QJsonArray{token.tokenType}).toJson(QJsonDocument::Compact);
    return "{\"token\": " + tokenJson.mid(1, tokenJson.size() - 2) +
           ", \"expires_on\": " + QByteArray::number(token.expiresOn) + ", \"refresh_on\": " +
           (token.refreshOn ? QByteArray::number(*token.refreshOn) : QByteArray("null")) +
           ", \"token_type\": " + typeJson.mid(1, typeJson.size() - 2) + "}";
}

namespace {

// QJsonDocument's indented form with the Azure CLI's two spaces per level instead of four (every line
// of it starts with a multiple of four spaces; strings hold no raw line breaks), and an empty array
// as "[]".
QByteArray azJson(const QJsonObject &object)
{
    const QList<QByteArray> lines = QJsonDocument(object).toJson(QJsonDocument::Indented).split('\n');
    QByteArray out;
    for (const QByteArray &line : lines) {
        qsizetype indent = 0;
        while (indent < line.size() && line.at(indent) == ' ')
            ++indent;
        if (line.isEmpty())
            continue;
        if (out.endsWith("[\n") && line.at(indent) == ']')
            out.chop(1);
        else
            out += line.left(indent / 2);
        out += line.mid(indent) + '\n';
    }
    return out;
}

// The Azure CLI's name of the cloud an authority belongs to.
QString azEnvironmentName(const QString &authority)
{
    if (authority.contains(QStringLiteral("microsoftonline.us")))
        return QStringLiteral("AzureUSGovernment");
    if (authority.contains(QStringLiteral("chinacloudapi.cn")))
        return QStringLiteral("AzureChinaCloud");
    return QStringLiteral("AzureCloud");
}

} // namespace

QByteArray formatAzToken(const AccessTokenInfo &token, const QString &tenant)
{
    // A naive local time with microseconds, as Python's datetime.fromtimestamp prints it.
    const QString expiresOn =
        QDateTime::fromSecsSinceEpoch(token.expiresOn).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz000"));
    return azJson({{QStringLiteral("accessToken"), token.token.revealString()},
                   {QStringLiteral("expiresOn"), expiresOn},
                   {QStringLiteral("expires_on"), token.expiresOn},
                   {QStringLiteral("subscription"), tenant},
                   {QStringLiteral("tenant"), tenant},
                   {QStringLiteral("tokenType"), token.tokenType}});
}

QByteArray formatAzAccount(const AuthenticationRecord &record)
{
    return azJson({{QStringLiteral("environmentName"), azEnvironmentName(record.authority)},
                   {QStringLiteral("homeTenantId"), record.tenantId},
                   {QStringLiteral("id"), record.tenantId},
                   {QStringLiteral("isDefault"), true},
                   {QStringLiteral("managedByTenants"), QJsonArray()},
                   {QStringLiteral("name"), QStringLiteral("N/A(tenant level account)")},
                   {QStringLiteral("state"), QStringLiteral("Enabled")},
                   {QStringLiteral("tenantId"), record.tenantId},
                   {QStringLiteral("user"), QJsonObject{{QStringLiteral("name"), record.username},
                                                        {QStringLiteral("type"), QStringLiteral("user")}}}});
}

QByteArray formatRecord(const AuthenticationRecord &record, OutputFormat format)
{
    if (format == OutputFormat::Table) {
        return formatTable({{QStringLiteral("username"), record.username},
                            {QStringLiteral("tenant_id"), record.tenantId},
                            {QStringLiteral("authority"), record.authority},
                            {QStringLiteral("client_id"), record.clientId},
                            {QStringLiteral("home_account_id"), record.homeAccountId}});
    }
    return record.serialize().toUtf8();
}

} // namespace azid::cli
