// What the developer-tool credentials make of their tools' output: az's JSON and its local-time
// expiresOn, azd's JSON and error lines, the PowerShell marker line; and what goes on the command
// line: scopes, the encoded PowerShell script.

#include "developertool.h"
#include "oauth.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace azid;
using namespace azid::detail;

Q_DECLARE_METATYPE(std::optional<qint64>)

namespace {
// 2026-11-26 14:05:10 UTC and 2030-01-01 00:00:00 UTC.
constexpr qint64 kNov26 = 1795701910;
constexpr qint64 k2030 = 1893456000;

QTimeZone offsetZone(int hours)
{
    return QTimeZone(hours * 3600);
}
} // namespace

class TestDevToolParsers : public QObject
{
    Q_OBJECT

private slots:
    void azureCliExpiresOn_data();
    void azureCliExpiresOn();
    void azureCliToken_data();
    void azureCliToken();
    void azdExpiresOn_data();
    void azdExpiresOn();
    void azdToken_data();
    void azdToken();
    void azdErrorMessage_data();
    void azdErrorMessage();
    void powerShellToken_data();
    void powerShellToken();
    void powerShellScriptNamesResourceAndTenant();
    void powerShellEncodedCommandIsUtf16LeBase64();
    void scopesToResource_data();
    void scopesToResource();
    void commandLineScopes_data();
    void commandLineScopes();
    void redactTokens_data();
    void redactTokens();
    void encodeClaims();
};

void TestDevToolParsers::azureCliExpiresOn_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("offsetHours");
    QTest::addColumn<std::optional<qint64>>("expected");

    QTest::newRow("utc, microseconds") << "2026-11-26 14:05:10.000000" << 0 << std::optional<qint64>(kNov26);
    QTest::newRow("local UTC+1") << "2026-11-26 14:05:10.000000" << 1 << std::optional<qint64>(kNov26 - 3600);
    QTest::newRow("local UTC-8") << "2026-11-26 14:05:10.000000" << -8
                                 << std::optional<qint64>(kNov26 + 8 * 3600);
    QTest::newRow("fraction truncated") << "2026-11-26 14:05:10.999999" << 0 << std::optional<qint64>(kNov26);
    QTest::newRow("short fraction") << "2026-11-26 14:05:10.5" << 0 << std::optional<qint64>(kNov26);
    QTest::newRow("no fraction") << "2026-11-26 14:05:10" << 0 << std::optional<qint64>(kNov26);
    QTest::newRow("surrounding spaces")
        << " 2026-11-26 14:05:10.000000 " << 0 << std::optional<qint64>(kNov26);
    QTest::newRow("ISO T separator") << "2026-11-26T14:05:10.000000" << 0 << std::optional<qint64>();
    QTest::newRow("seven fraction digits") << "2026-11-26 14:05:10.0000000" << 0 << std::optional<qint64>();
    QTest::newRow("no such day") << "2026-02-30 14:05:10.000000" << 0 << std::optional<qint64>();
    QTest::newRow("hour 25") << "2026-11-26 25:05:10.000000" << 0 << std::optional<qint64>();
    QTest::newRow("empty") << "" << 0 << std::optional<qint64>();
    QTest::newRow("epoch as text") << "1795701910" << 0 << std::optional<qint64>();
}

void TestDevToolParsers::azureCliExpiresOn()
{
    QFETCH(QString, text);
    QFETCH(int, offsetHours);
    QFETCH(std::optional<qint64>, expected);
    QCOMPARE(parseAzureCliExpiresOn(text, offsetZone(offsetHours)), expected);
}

void TestDevToolParsers::azureCliToken_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("token");
    QTest::addColumn<qint64>("expiresOn");
    QTest::addColumn<QString>("tokenType");

    // Local time here is UTC+2: only expiresOn depends on it.
    QTest::newRow("az >= 2.54: expires_on wins")
        << QByteArray(
               R"({"accessToken":"tok-1","expiresOn":"2030-01-01 00:00:00.000000","expires_on":1795701910,)"
               R"("subscription":"s","tenant":"t","tokenType":"Bearer"})")
        << true << "tok-1" << kNov26 << "Bearer";
    QTest::newRow("expires_on as a string")
        << QByteArray(R"({"accessToken":"tok-2","expires_on":"1795701910"})") << true << "tok-2" << kNov26
        << "Bearer";
    QTest::newRow("older az: expiresOn is local time")
        << QByteArray(
               R"({"accessToken":"tok-3","expiresOn":"2030-01-01 02:00:00.000000","tokenType":"Bearer"})")
        << true << "tok-3" << k2030 << "Bearer";
    QTest::newRow("pretty-printed, as az prints it")
        << QByteArray("{\n  \"accessToken\": \"tok-4\",\n  \"expiresOn\": \"2030-01-01 02:00:00.000000\",\n"
                      "  \"expires_on\": 1893456000,\n  \"tokenType\": \"Bearer\"\n}\n")
        << true << "tok-4" << k2030 << "Bearer";
    QTest::newRow("another token type")
        << QByteArray(R"({"accessToken":"tok-5","expires_on":1893456000,"tokenType":"pop"})") << true
        << "tok-5" << k2030 << "pop";
    QTest::newRow("no accessToken") << QByteArray(R"({"expires_on":1893456000})") << false << "" << qint64(0)
                                    << "";
    QTest::newRow("empty accessToken")
        << QByteArray(R"({"accessToken":"","expires_on":1893456000})") << false << "" << qint64(0) << "";
    QTest::newRow("accessToken not a string")
        << QByteArray(R"({"accessToken":42,"expires_on":1893456000})") << false << "" << qint64(0) << "";
    QTest::newRow("no expiry at all")
        << QByteArray(R"({"accessToken":"tok"})") << false << "" << qint64(0) << "";
    QTest::newRow("expires_on not a number")
        << QByteArray(R"({"accessToken":"tok","expires_on":"soon","expiresOn":"2030-01-01 00:00:00.000000"})")
        << false << "" << qint64(0) << "";
    QTest::newRow("expiresOn in another format")
        << QByteArray(R"({"accessToken":"tok","expiresOn":"2030-01-01T00:00:00Z"})") << false << ""
        << qint64(0) << "";
    QTest::newRow("not JSON") << QByteArray("ERROR: something went wrong") << false << "" << qint64(0) << "";
    QTest::newRow("a JSON array") << QByteArray(R"([{"accessToken":"tok","expires_on":1}])") << false << ""
                                  << qint64(0) << "";
    QTest::newRow("empty") << QByteArray() << false << "" << qint64(0) << "";
    // Numbers from outside are clamped to [0, 9999-12-31T23:59:59Z], never cast out of range.
    QTest::newRow("expires_on 1e300") << QByteArray(R"({"accessToken":"tok","expires_on":1e300})") << true
                                      << "tok" << limits::MaxEpochSeconds << "Bearer";
    QTest::newRow("expires_on -1e300") << QByteArray(R"({"accessToken":"tok","expires_on":-1e300})") << true
                                       << "tok" << qint64(0) << "Bearer";
    QTest::newRow("expires_on 2^63-1 as a string")
        << QByteArray(R"({"accessToken":"tok","expires_on":"9223372036854775807"})") << true << "tok"
        << limits::MaxEpochSeconds << "Bearer";
}

void TestDevToolParsers::azureCliToken()
{
    QFETCH(QByteArray, output);
    QFETCH(bool, ok);
    QFETCH(QString, token);
    QFETCH(qint64, expiresOn);
    QFETCH(QString, tokenType);

    const std::optional<AccessTokenInfo> info = parseAzureCliToken(output, offsetZone(2));
    QCOMPARE(info.has_value(), ok);
    if (!ok)
        return;
    QCOMPARE(info->token.revealString(), token);
    QCOMPARE(info->expiresOn, expiresOn);
    QCOMPARE(info->tokenType, tokenType);
    QVERIFY(!info->refreshOn);
}

void TestDevToolParsers::azdExpiresOn_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<std::optional<qint64>>("expected");

    // Local time here is UTC+5. azure.identity reads azd's "Z" time as local time; Azid as UTC.
    QTest::newRow("Z is UTC") << "2030-01-01T00:00:00Z" << std::optional<qint64>(k2030);
    QTest::newRow("milliseconds") << "2030-01-01T00:00:00.250Z" << std::optional<qint64>(k2030);
    QTest::newRow("offset") << "2030-01-01T02:00:00+02:00" << std::optional<qint64>(k2030);
    QTest::newRow("no zone: local") << "2030-01-01T05:00:00" << std::optional<qint64>(k2030);
    QTest::newRow("space separator") << "2030-01-01 00:00:00" << std::optional<qint64>();
    QTest::newRow("date only") << "2030-01-01" << std::optional<qint64>();
    QTest::newRow("garbage") << "tomorrow" << std::optional<qint64>();
    QTest::newRow("empty") << "" << std::optional<qint64>();
}

void TestDevToolParsers::azdExpiresOn()
{
    QFETCH(QString, text);
    QFETCH(std::optional<qint64>, expected);
    QCOMPARE(parseAzdExpiresOn(text, offsetZone(5)), expected);
}

void TestDevToolParsers::azdToken_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("token");
    QTest::addColumn<qint64>("expiresOn");

    QTest::newRow("azd's answer") << QByteArray(R"({"token":"azd-tok","expiresOn":"2030-01-01T00:00:00Z"})")
                                  << true << "azd-tok" << k2030;
    QTest::newRow("pretty-printed") << QByteArray("{\n  \"token\": \"azd-tok\",\n  \"expiresOn\": "
                                                  "\"2026-11-26T14:05:10Z\"\n}\n")
                                    << true << "azd-tok" << kNov26;
    QTest::newRow("no token") << QByteArray(R"({"expiresOn":"2030-01-01T00:00:00Z"})") << false << ""
                              << qint64(0);
    QTest::newRow("no expiry") << QByteArray(R"({"token":"azd-tok"})") << false << "" << qint64(0);
    QTest::newRow("epoch expiry") << QByteArray(R"({"token":"azd-tok","expiresOn":1893456000})") << false
                                  << "" << qint64(0);
    QTest::newRow("az's shape") << QByteArray(R"({"accessToken":"tok","expires_on":1893456000})") << false
                                << "" << qint64(0);
    QTest::newRow("not JSON") << QByteArray("ERROR: not logged in") << false << "" << qint64(0);
}

void TestDevToolParsers::azdToken()
{
    QFETCH(QByteArray, output);
    QFETCH(bool, ok);
    QFETCH(QString, token);
    QFETCH(qint64, expiresOn);

    const std::optional<AccessTokenInfo> info = parseAzdToken(output, offsetZone(5));
    QCOMPARE(info.has_value(), ok);
    if (!ok)
        return;
    QCOMPARE(info->token.revealString(), token);
    QCOMPARE(info->expiresOn, expiresOn);
    QCOMPARE(info->tokenType, QStringLiteral("Bearer"));
}

void TestDevToolParsers::azdErrorMessage_data()
{
    QTest::addColumn<QByteArray>("standardOutput");
    QTest::addColumn<QByteArray>("standardError");
    QTest::addColumn<QString>("expected");

    const QByteArray legacy =
        R"({"type":"consoleMessage","timestamp":"2026-11-26T14:05:10Z","data":{"message":"\nERROR: fetching token: AADSTS70043: expired\n"}})";
    const QByteArray current =
        R"({"error":"AADSTS50076: MFA required","message":"failed to get token","suggestion":"run azd auth login"})";

    QTest::newRow("azd >= 1.23.7 on stderr") << QByteArray() << current << "AADSTS50076: MFA required";
    QTest::newRow("legacy console message")
        << QByteArray() << legacy << "ERROR: fetching token: AADSTS70043: expired";
    QTest::newRow("error wins over an earlier legacy line")
        << legacy << current << "AADSTS50076: MFA required";
    QTest::newRow("stdout before stderr") << QByteArray(R"({"error":"from stdout"})")
                                          << QByteArray(R"({"error":"from stderr"})") << "from stdout";
    QTest::newRow("empty error skipped") << QByteArray(R"({"error":""})"
                                                       "\n"
                                                       R"({"error":"second"})")
                                         << QByteArray() << "second";
    QTest::newRow("among other lines")
        << QByteArray("WARNING: something\n" + current + "\n") << QByteArray() << "AADSTS50076: MFA required";
    QTest::newRow("plain text") << QByteArray("oops") << QByteArray("ERROR: no JSON here") << "";
    QTest::newRow("other JSON") << QByteArray(R"({"type":"progress","data":{}})") << QByteArray() << "";
    QTest::newRow("token redacted") << QByteArray()
                                    << QByteArray(R"({"error":"bad answer {\"token\": \"azd-secret\"}"})")
                                    << R"(bad answer {"token": "****"})";
    QTest::newRow("nothing") << QByteArray() << QByteArray() << "";
}

void TestDevToolParsers::azdErrorMessage()
{
    QFETCH(QByteArray, standardOutput);
    QFETCH(QByteArray, standardError);
    QFETCH(QString, expected);
    QCOMPARE(detail::azdErrorMessage(standardOutput, standardError), expected);
}

void TestDevToolParsers::powerShellToken_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("token");
    QTest::addColumn<qint64>("expiresOn");

    QTest::newRow("the script's line")
        << QByteArray("\nazsdk%ps-tok%1893456000\n") << true << "ps-tok" << k2030;
    QTest::newRow("among noise")
        << QByteArray(
               "WARNING: Upcoming breaking changes\r\nsomething else\r\n\r\nazsdk%ps-tok%1795701910\r\n\r\n")
        << true << "ps-tok" << kNov26;
    QTest::newRow("first marker wins")
        << QByteArray("azsdk%one%1893456000 azsdk%two%1") << true << "one" << k2030;
    QTest::newRow("no marker") << QByteArray("ps-tok 1893456000") << false << "" << qint64(0);
    QTest::newRow("marker not at the start of a piece")
        << QByteArray("xazsdk%ps-tok%1893456000") << false << "" << qint64(0);
    QTest::newRow("missing expiry") << QByteArray("azsdk%ps-tok") << false << "" << qint64(0);
    QTest::newRow("expiry not a number") << QByteArray("azsdk%ps-tok%tomorrow") << false << "" << qint64(0);
    QTest::newRow("empty token") << QByteArray("azsdk%%1893456000") << false << "" << qint64(0);
    QTest::newRow("extra field") << QByteArray("azsdk%ps-tok%1893456000%x") << false << "" << qint64(0);
    QTest::newRow("module marker only") << QByteArray("NO_AZ_ACCOUNT_MODULE\n") << false << "" << qint64(0);
    QTest::newRow("expiry 2^63-1") << QByteArray("azsdk%ps-tok%9223372036854775807") << true << "ps-tok"
                                   << limits::MaxEpochSeconds;
    QTest::newRow("expiry -2^63") << QByteArray("azsdk%ps-tok%-9223372036854775808") << true << "ps-tok"
                                  << qint64(0);
}

void TestDevToolParsers::powerShellToken()
{
    QFETCH(QByteArray, output);
    QFETCH(bool, ok);
    QFETCH(QString, token);
    QFETCH(qint64, expiresOn);

    const std::optional<AccessTokenInfo> info = parsePowerShellToken(output);
    QCOMPARE(info.has_value(), ok);
    if (!ok)
        return;
    QCOMPARE(info->token.revealString(), token);
    QCOMPARE(info->expiresOn, expiresOn);
}

void TestDevToolParsers::powerShellScriptNamesResourceAndTenant()
{
    const QString withTenant =
        powerShellScript(QStringLiteral("https://vault.azure.net"), QStringLiteral("contoso"));
    QVERIFY(withTenant.contains(QStringLiteral("'ResourceUrl' = 'https://vault.azure.net'")));
    QVERIFY(withTenant.contains(QStringLiteral("$tenantId = 'contoso'")));
    QVERIFY(withTenant.contains(QStringLiteral("Import-Module Az.Accounts -MinimumVersion $minimumVersion")));
    QVERIFY(withTenant.contains(QStringLiteral("[version]$minimumVersion = '2.2.0'")));
    QVERIFY(withTenant.contains(QStringLiteral("Write-Output NO_AZ_ACCOUNT_MODULE")));
    QVERIFY(withTenant.contains(QStringLiteral("Get-AzAccessToken @params")));
    QVERIFY(withTenant.contains(QStringLiteral("'AsSecureString'")));
    QVERIFY(withTenant.contains(QStringLiteral("ConvertFrom-SecureString -AsPlainText")));
    QVERIFY(
        withTenant.contains(QStringLiteral("azsdk%$($tokenValue)%$($token.ExpiresOn.ToUnixTimeSeconds())")));

    const QString withoutTenant = powerShellScript(QStringLiteral("https://graph.microsoft.com"), QString());
    QVERIFY(withoutTenant.contains(QStringLiteral("$tenantId = ''")));
    QVERIFY(withoutTenant.contains(QStringLiteral("'ResourceUrl' = 'https://graph.microsoft.com'")));
}

void TestDevToolParsers::powerShellEncodedCommandIsUtf16LeBase64()
{
    const QString script = QStringLiteral("Write-Output 'h\u00e9'\n");
    const QByteArray decoded = QByteArray::fromBase64(powerShellEncodedCommand(script).toLatin1());
    QCOMPARE(decoded.size(), script.size() * 2);
    QCOMPARE(decoded.at(0), 'W');
    QCOMPARE(decoded.at(1), '\0');
    // UTF-16LE back to text
    QString back;
    for (qsizetype i = 0; i + 1 < decoded.size(); i += 2)
        back.append(QChar(char16_t(uchar(decoded.at(i)) | (uchar(decoded.at(i + 1)) << 8))));
    QCOMPARE(back, script);
}

void TestDevToolParsers::scopesToResource_data()
{
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("error");

    const QString oneScope = QStringLiteral("This credential requires exactly one scope per token request.");
    QTest::newRow(".default dropped")
        << QStringList{QStringLiteral("https://vault.azure.net/.default")} << "https://vault.azure.net"
        << "";
    QTest::newRow("double slash kept")
        << QStringList{QStringLiteral("https://management.azure.com//.default")}
        << "https://management.azure.com/"
        << "";
    QTest::newRow("no .default") << QStringList{QStringLiteral("https://storage.azure.com")}
                                 << "https://storage.azure.com"
                                 << "";
    QTest::newRow("guid resource") << QStringList{QStringLiteral(
                                          "499b84ac-1321-427f-aa17-267ca6975798/.default")}
                                   << "499b84ac-1321-427f-aa17-267ca6975798"
                                   << "";
    QTest::newRow("two scopes") << QStringList{QStringLiteral("a"), QStringLiteral("b")} << "" << oneScope;
    QTest::newRow("no scope") << QStringList{} << "" << oneScope;
    QTest::newRow("shell metacharacters")
        << QStringList{QStringLiteral("https://vault.azure.net/.default; rm -rf ~")} << ""
        << invalidScopeMessage();
    QTest::newRow("quote") << QStringList{QStringLiteral("https://x'/.default")} << ""
                           << invalidScopeMessage();
    QTest::newRow("empty") << QStringList{QString()} << "" << invalidScopeMessage();
}

void TestDevToolParsers::scopesToResource()
{
    QFETCH(QStringList, scopes);
    QFETCH(QString, resource);
    QFETCH(QString, error);
    const Result<QString> found = detail::scopesToResource(scopes);
    QCOMPARE(found.ok() ? found.value() : QString(), resource);
    QCOMPARE(found.ok() ? QString() : found.error().message, error);
    if (!found.ok())
        QCOMPARE(found.error().kind, ErrorKind::ClientAuthentication);
}

void TestDevToolParsers::commandLineScopes_data()
{
    QTest::addColumn<QString>("scope");
    QTest::addColumn<bool>("valid");

    QTest::newRow("url") << "https://management.azure.com/.default" << true;
    QTest::newRow("all allowed") << "AZaz09_-.:/" << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("space") << "a b" << false;
    QTest::newRow("single quote") << "a'b" << false;
    QTest::newRow("double quote") << "a\"b" << false;
    QTest::newRow("semicolon") << "a;b" << false;
    QTest::newRow("dollar") << "$HOME" << false;
    QTest::newRow("backtick") << "a`b" << false;
    QTest::newRow("percent") << "a%1" << false;
    QTest::newRow("newline") << "a\nb" << false;
    QTest::newRow("leading dash option")
        << "--help" << true; // still one argument: no shell, no parser confusion
    QTest::newRow("non-ASCII letter") << QStringLiteral("caf\u00e9") << false;
}

void TestDevToolParsers::commandLineScopes()
{
    QFETCH(QString, scope);
    QFETCH(bool, valid);
    QCOMPARE(isValidCommandLineScope(scope), valid);
}

void TestDevToolParsers::redactTokens_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("az JSON") << R"({"accessToken": "abc.def", "expiresOn": "x"})"
                             << R"({"accessToken": "****", "expiresOn": "x"})";
    QTest::newRow("az JSON, compact") << R"({"accessToken":"abc"})"
                                      << R"({"accessToken": "****"})";
    QTest::newRow("cut off") << R"({"accessToken": "abc)"
                             << R"({"accessToken": "****")";
    QTest::newRow("azd JSON") << R"({"token": "abc", "expiresOn": "x"})"
                              << R"({"token": "****", "expiresOn": "x"})";
    QTest::newRow("JWT anywhere") << "got eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln here"
                                  << "got **** here";
    QTest::newRow("PowerShell marker") << "azsdk%secret%1893456000"
                                       << "azsdk%****%1893456000";
    QTest::newRow("ordinary text") << "ERROR: Please run 'az login' to setup account."
                                   << "ERROR: Please run 'az login' to setup account.";
}

void TestDevToolParsers::redactTokens()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(detail::redactTokens(text), expected);
}

void TestDevToolParsers::encodeClaims()
{
    const QString claims = QStringLiteral(R"({"access_token":{"acrs":{"essential":true,"value":"c1"}}})");
    QCOMPARE(QByteArray::fromBase64(detail::encodeClaims(claims).toLatin1()), claims.toUtf8());
}

QTEST_GUILESS_MAIN(TestDevToolParsers)
#include "tst_devtoolparsers.moc"
