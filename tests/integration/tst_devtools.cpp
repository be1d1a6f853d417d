// The developer-tool credentials running real processes: stand-ins for az, azd and pwsh, written by
// this test as bash scripts into a temporary directory that goes first on the tools' PATH, answer as
// the real tools do (tokens, not signed in, not installed, failures, garbage, hangs). Each stand-in
// records its arguments, environment and working directory, so the test reads what was run.

#include "azid/azureclicredential.h"
#include "azid/azuredeveloperclicredential.h"
#include "azid/azurepowershellcredential.h"
#include "azid/visualstudiocodecredential.h"

#include "logcapture.h"
#include "testwait.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace azid;
using azid::test::await;

namespace {

const QString kArm = QStringLiteral("https://management.azure.com/.default");
const QString kVault = QStringLiteral("https://vault.azure.net/.default");
const QString kGraph = QStringLiteral("https://graph.microsoft.com/.default");
const QString kTenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString kOtherTenant = QStringLiteral("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
// Every token the stand-ins print; none may show up in a log or an error message.
const QString kAzToken = QStringLiteral("standin-az-token-5d1e0c");
const QString kAzdToken = QStringLiteral("standin-azd-token-8b2f41");
const QString kPwshToken = QStringLiteral("standin-pwsh-token-c7a903");
const QString kLeakedToken = QStringLiteral("standin-leaked-token-0e6b2d");
constexpr qint64 k2030 = 1893456000; // 2030-01-01T00:00:00Z

TokenRequestOptions request(QStringList scopes, QString tenantId = {}, QString claims = {})
{
    TokenRequestOptions options;
    options.scopes = std::move(scopes);
    options.tenantId = std::move(tenantId);
    options.claims = std::move(claims);
    return options;
}

// For QVERIFY2, whose message is built even when the check passes.
QString why(const TokenResult &result)
{
    return result.ok() ? QString() : result.error().toString();
}

// Alive: in the process table and not a zombie waiting to be reaped.
bool isAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    if (close < 0 || close + 2 >= text.size())
        return false;
    const char state = text.at(close + 2);
    return state != 'Z' && state != 'X';
}

} // namespace

class TestDevTools : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_bin;   // the stand-ins, first on PATH
    QString m_empty; // a PATH without any tool

    QString file(const QString &name) const { return m_dir.filePath(name); }

    // A stand-in `name` whose behaviour is `body` (bash), after it records how it was run.
    void writeTool(const QString &name, const QString &body)
    {
        const QString script = QStringLiteral("#!/bin/bash\n"
                                              "printf '%s\\n' \"$@\" > '%1.args'\n"
                                              "env > '%1.env'\n"
                                              "pwd -P > '%1.cwd'\n")
                                   .arg(file(name)) +
                               body + QLatin1Char('\n');
        QFile tool(m_bin + QLatin1Char('/') + name);
        QVERIFY(tool.open(QIODevice::WriteOnly | QIODevice::Truncate));
        tool.write(script.toUtf8());
        tool.close();
        QVERIFY(tool.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }

    // A body that hangs, with a child of its own, and records both pids.
    QString hangingBody(const QString &name) const
    {
        return QStringLiteral("echo $$ > '%1.pid'\nsleep 60 &\necho $! > '%1.child'\nwait\n").arg(file(name));
    }

    QString recorded(const QString &name, const QString &what) const
    {
        QFile f(file(name) + QLatin1Char('.') + what);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(f.readAll());
    }
    bool ran(const QString &name) const { return QFile::exists(file(name) + QStringLiteral(".args")); }
    QStringList argumentsOf(const QString &name) const
    {
        QStringList lines = recorded(name, QStringLiteral("args")).split(QLatin1Char('\n'));
        if (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        return lines;
    }
    QStringList environmentOf(const QString &name) const
    {
        return recorded(name, QStringLiteral("env")).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

    QProcessEnvironment withTools() const
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("PATH"),
                           m_bin + QDir::listSeparator() + environment.value(QStringLiteral("PATH")));
        return environment;
    }
    QProcessEnvironment withoutTools() const
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("PATH"), m_empty);
        return environment;
    }

    template <typename Options> Options optionsWithTools(bool withinDefaultChain = false) const
    {
        Options options;
        options.environment = withTools();
        options.withinDefaultChain = withinDefaultChain;
        return options;
    }

    template <typename Credential, typename Options>
    TokenResult run(const Options &options, const TokenRequestOptions &tokenRequest)
    {
        Credential credential(options);
        return await(credential.getTokenInfo(tokenRequest));
    }

    void verifyKilled(const QString &name)
    {
        bool ok = false;
        const qint64 pid = recorded(name, QStringLiteral("pid")).trimmed().toLongLong(&ok);
        QVERIFY2(ok, "the stand-in did not record its pid");
        const qint64 child = recorded(name, QStringLiteral("child")).trimmed().toLongLong(&ok);
        QVERIFY2(ok, "the stand-in did not record its child's pid");
        QTRY_VERIFY(!isAlive(pid));
        QTRY_VERIFY(!isAlive(child));
    }

    static void verifyError(const TokenResult &result, bool unavailable, const QString &fragment)
    {
        QVERIFY2(!result.ok(), "a token came back");
        QVERIFY2(result.error().isUnavailable() == unavailable, qPrintable(why(result)));
        QVERIFY2(result.error().message.contains(fragment),
                 qPrintable(QStringLiteral("\"%1\" not in: %2").arg(fragment, result.error().message)));
        for (const QString &token : {kAzToken, kAzdToken, kPwshToken, kLeakedToken})
            QVERIFY2(!result.error().message.contains(token), qPrintable(result.error().message));
    }

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void azureCliSuccess_data();
    void azureCliSuccess();
    void azureCliTenantAndSubscriptionAreSingleArguments();
    void azureCliRequestTenant_data();
    void azureCliRequestTenant();
    void azureCliFailures_data();
    void azureCliFailures();
    void azureCliNotInstalled();
    void azureCliCannotStart();
    void azureCliTimeoutKillsTheProcessTree();
    void endlessOutputKillsTheTool();
    void azureCliRefusesArgumentsBeforeRunning_data();
    void azureCliRefusesArgumentsBeforeRunning();
    void azureCliClaimsChallenge();

    void azdSuccess();
    void azdClaimsChallenge();
    void azdFailures_data();
    void azdFailures();
    void azdNotInstalled();
    void azdTimeout();
    void azdRefusesArgumentsBeforeRunning();

    void powerShellSuccess();
    void powerShellFailures_data();
    void powerShellFailures();
    void powerShellNotInstalled();
    void powerShellTimeout();
    void powerShellClaimsChallenge();

    void visualStudioCodeIsUnavailable();
    void deletingTheCredentialKillsTheTool();
    void injectedRunnerIsUsed();
};

void TestDevTools::initTestCase()
{
    test::LogCapture::install();
    QVERIFY(m_dir.isValid());
    m_bin = m_dir.filePath(QStringLiteral("bin"));
    m_empty = m_dir.filePath(QStringLiteral("empty"));
    QVERIFY(QDir().mkpath(m_bin));
    QVERIFY(QDir().mkpath(m_empty));
    if (QStandardPaths::findExecutable(QStringLiteral("bash")).isEmpty())
        QSKIP("the stand-in tools need bash");
}

void TestDevTools::init()
{
    // A fresh set of stand-ins and records for every test.
    for (const QString &entry : QDir(m_bin).entryList(QDir::Files))
        QFile::remove(m_bin + QLatin1Char('/') + entry);
    for (const QString &entry : QDir(m_dir.path()).entryList(QDir::Files))
        QFile::remove(m_dir.filePath(entry));
}

void TestDevTools::cleanupTestCase()
{
    for (const QString &token : {kAzToken, kAzdToken, kPwshToken, kLeakedToken}) {
        const QStringList leaks = test::LogCapture::find(token);
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
    }
}

// ---- Azure CLI -------------------------------------------------------------------------------

void TestDevTools::azureCliSuccess_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<qint64>("expiresOn");

    const qint64 local2030 = QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::LocalTime).toSecsSinceEpoch();
    QTest::newRow("az >= 2.54: expires_on")
        << QStringLiteral(
               "cat <<'JSON'\n{\n  \"accessToken\": \"%1\",\n  \"expiresOn\": \"2031-05-05 "
               "10:00:00.000000\",\n  \"expires_on\": %2,\n  \"subscription\": "
               "\"0b1f6471-1bf0-4dda-aec3-111122223333\",\n  \"tenant\": \"%3\",\n  \"tokenType\": "
               "\"Bearer\"\n}\nJSON")
               .arg(kAzToken)
               .arg(k2030)
               .arg(kTenant)
        << k2030;
    QTest::newRow("older az: expiresOn in local time")
        << QStringLiteral("echo '{\"accessToken\": \"%1\", \"expiresOn\": \"2030-01-01 00:00:00.000000\", "
                          "\"tokenType\": \"Bearer\"}'")
               .arg(kAzToken)
        << local2030;
    QTest::newRow("warnings on stderr")
        << QStringLiteral("echo 'WARNING: A new release of Azure CLI is available.' >&2\n"
                          "echo '{\"accessToken\": \"%1\", \"expires_on\": %2}'")
               .arg(kAzToken)
               .arg(k2030)
        << k2030;
}

void TestDevTools::azureCliSuccess()
{
    QFETCH(QString, body);
    QFETCH(qint64, expiresOn);
    writeTool(QStringLiteral("az"), body);

    const TokenResult result =
        run<AzureCliCredential>(optionsWithTools<AzureCliCredentialOptions>(), request({kArm}));
    QVERIFY2(result.ok(), qPrintable(why(result)));
    QCOMPARE(result.value().token.revealString(), kAzToken);
    QCOMPARE(result.value().expiresOn, expiresOn);
    QCOMPARE(result.value().tokenType, QStringLiteral("Bearer"));
    QVERIFY(!result.value().refreshOn);

    QCOMPARE(argumentsOf(QStringLiteral("az")),
             (QStringList{QStringLiteral("account"), QStringLiteral("get-access-token"),
                          QStringLiteral("--output"), QStringLiteral("json"), QStringLiteral("--resource"),
                          QStringLiteral("https://management.azure.com")}));
    QVERIFY(environmentOf(QStringLiteral("az")).contains(QStringLiteral("AZURE_CORE_NO_COLOR=true")));
    QCOMPARE(recorded(QStringLiteral("az"), QStringLiteral("cwd")).trimmed(),
             QDir(QStringLiteral("/bin")).canonicalPath());
}

void TestDevTools::azureCliTenantAndSubscriptionAreSingleArguments()
{
    writeTool(
        QStringLiteral("az"),
        QStringLiteral("echo '{\"accessToken\": \"%1\", \"expires_on\": %2}'").arg(kAzToken).arg(k2030));
    auto options = optionsWithTools<AzureCliCredentialOptions>();
    options.tenantId = kTenant;
    options.subscription = QStringLiteral("My Subscription-1.0_x");
    const TokenResult result = run<AzureCliCredential>(options, request({kVault}));
    QVERIFY2(result.ok(), qPrintable(why(result)));
    QCOMPARE(argumentsOf(QStringLiteral("az")),
             (QStringList{QStringLiteral("account"), QStringLiteral("get-access-token"),
                          QStringLiteral("--output"), QStringLiteral("json"), QStringLiteral("--resource"),
                          QStringLiteral("https://vault.azure.net"), QStringLiteral("--tenant"), kTenant,
                          QStringLiteral("--subscription"), QStringLiteral("My Subscription-1.0_x")}));
}

void TestDevTools::azureCliRequestTenant_data()
{
    QTest::addColumn<QString>("configured");
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QString>("expected"); // the --tenant argument; "error" when refused; "" for none

    QTest::newRow("none") << QString() << QStringList{} << QString() << QString();
    QTest::newRow("request without configured") << QString() << QStringList{} << kOtherTenant << kOtherTenant;
    QTest::newRow("configured") << kTenant << QStringList{} << QString() << kTenant;
    QTest::newRow("same as configured") << kTenant << QStringList{} << kTenant << kTenant;
    QTest::newRow("other, not allowed")
        << kTenant << QStringList{} << kOtherTenant << QStringLiteral("error");
    QTest::newRow("other, allowed") << kTenant << QStringList{kOtherTenant} << kOtherTenant << kOtherTenant;
    QTest::newRow("other, wildcard") << kTenant << QStringList{QStringLiteral("*")} << kOtherTenant
                                     << kOtherTenant;
    QTest::newRow("invalid requested")
        << QString() << QStringList{} << QStringLiteral("bad tenant;id") << QStringLiteral("error");
}

void TestDevTools::azureCliRequestTenant()
{
    QFETCH(QString, configured);
    QFETCH(QStringList, allowed);
    QFETCH(QString, requested);
    QFETCH(QString, expected);

    writeTool(
        QStringLiteral("az"),
        QStringLiteral("echo '{\"accessToken\": \"%1\", \"expires_on\": %2}'").arg(kAzToken).arg(k2030));
    auto options = optionsWithTools<AzureCliCredentialOptions>();
    options.tenantId = configured;
    options.additionallyAllowedTenants = allowed;
    const TokenResult result = run<AzureCliCredential>(options, request({kArm}, requested));
    if (expected == QStringLiteral("error")) {
        verifyError(result, false, requested);
        QVERIFY(!ran(QStringLiteral("az")));
        return;
    }
    QVERIFY2(result.ok(), qPrintable(why(result)));
    const QStringList arguments = argumentsOf(QStringLiteral("az"));
    const qsizetype at = arguments.indexOf(QStringLiteral("--tenant"));
    if (expected.isEmpty()) {
        QCOMPARE(at, qsizetype(-1));
    } else {
        QVERIFY(at >= 0 && at + 1 < arguments.size());
        QCOMPARE(arguments.at(at + 1), expected);
    }
}

void TestDevTools::azureCliFailures_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<bool>("withinDefaultChain");
    QTest::addColumn<bool>("unavailable");
    QTest::addColumn<QString>("fragment");

    const QString notLoggedIn = QStringLiteral("Please run 'az login' to set up an account.");
    QTest::newRow("not logged in")
        << QStringLiteral("echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1") << false
        << true << notLoggedIn;
    QTest::newRow("no subscription selected")
        << QStringLiteral(
               "echo \"ERROR: No subscription found. Run 'az account set' to select a subscription.\" "
               ">&2; exit 1")
        << false << true << notLoggedIn;
    const QString expired = QStringLiteral(
        "ERROR: AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by "
        "conditional access. Please run 'az login' to set up an account.");
    QTest::newRow("AADSTS error: a real failure")
        << QStringLiteral("echo \"%1\" >&2; exit 1").arg(expired) << false << false << expired;
    QTest::newRow("AADSTS error within the default chain")
        << QStringLiteral("echo \"%1\" >&2; exit 1").arg(expired) << true << true << expired;
    QTest::newRow("other error, verbatim")
        << QStringLiteral(
               "echo \"ERROR: Subscription 'nope' not found. Check the spelling and casing and try "
               "again.\" >&2; exit 2")
        << false << false
        << QStringLiteral(
               "ERROR: Subscription 'nope' not found. Check the spelling and casing and try again.");
    QTest::newRow("silent failure") << QStringLiteral("exit 1") << false << false
                                    << QStringLiteral("Failed to invoke Azure CLI");
    QTest::newRow("the shell's 127")
        << QStringLiteral(
               "echo \"/usr/bin/az: line 4: /opt/az/bin/python3: No such file or directory\" >&2; exit 127")
        << false << true << QStringLiteral("Azure CLI not found on path");
    QTest::newRow("output not JSON") << QStringLiteral("echo 'this is not JSON'") << false << false
                                     << QStringLiteral(
                                            "Unexpected output from Azure CLI: 'this is not JSON'");
    QTest::newRow("output not JSON within the default chain")
        << QStringLiteral("echo 'this is not JSON'") << true << true
        << QStringLiteral("Unexpected output from Azure CLI");
    QTest::newRow("cut-off JSON with a token")
        << QStringLiteral("printf '{\"accessToken\": \"%1\", \"expiresOn\": '").arg(kLeakedToken) << false
        << false << QStringLiteral("Unexpected output from Azure CLI: '{\"accessToken\": \"****\"");
    QTest::newRow("token without expiry")
        << QStringLiteral("echo '{\"accessToken\": \"%1\"}'").arg(kLeakedToken) << false << false
        << QStringLiteral("azclicredential/troubleshoot");
    QTest::newRow("token in the error output")
        << QStringLiteral("echo 'ERROR: bad answer {\"accessToken\": \"%1\"}' >&2; exit 1").arg(kLeakedToken)
        << false << false << QStringLiteral("ERROR: bad answer");
    QTest::newRow("killed by a signal")
        << QStringLiteral("kill -KILL $$") << false << false
        << QStringLiteral("Failed to invoke Azure CLI (it ended on a signal).");
}

void TestDevTools::azureCliFailures()
{
    QFETCH(QString, body);
    QFETCH(bool, withinDefaultChain);
    QFETCH(bool, unavailable);
    QFETCH(QString, fragment);

    writeTool(QStringLiteral("az"), body);
    const TokenResult result = run<AzureCliCredential>(
        optionsWithTools<AzureCliCredentialOptions>(withinDefaultChain), request({kArm}));
    verifyError(result, unavailable, fragment);
    QVERIFY(ran(QStringLiteral("az")));
}

void TestDevTools::azureCliNotInstalled()
{
    AzureCliCredentialOptions options;
    options.environment = withoutTools();
    const TokenResult result = run<AzureCliCredential>(options, request({kArm}));
    verifyError(result, true, QStringLiteral("Azure CLI not found on path"));
}

void TestDevTools::azureCliCannotStart()
{
    // Found on PATH and executable, but the system cannot run it: its interpreter does not exist.
    QFile tool(m_bin + QStringLiteral("/az"));
    QVERIFY(tool.open(QIODevice::WriteOnly | QIODevice::Truncate));
    tool.write("#!/nonexistent/interpreter\n");
    tool.close();
    QVERIFY(tool.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    const TokenResult result =
        run<AzureCliCredential>(optionsWithTools<AzureCliCredentialOptions>(), request({kArm}));
    verifyError(result, true, QStringLiteral("Failed to execute '%1'").arg(tool.fileName()));
}

void TestDevTools::azureCliTimeoutKillsTheProcessTree()
{
    writeTool(QStringLiteral("az"), hangingBody(QStringLiteral("az")));
    auto options = optionsWithTools<AzureCliCredentialOptions>();
    options.processTimeout = std::chrono::milliseconds(1000);
    const TokenResult result = run<AzureCliCredential>(options, request({kArm}));
    verifyError(result, true, QStringLiteral("Failed to invoke the Azure CLI."));
    verifyError(result, true,
                QStringLiteral("did not finish within 1 second (process_timeout) and was killed"));
    verifyKilled(QStringLiteral("az"));
}

void TestDevTools::endlessOutputKillsTheTool()
{
    // A tool (or whatever is first on PATH under its name) that prints without end is killed once it has
    // printed more than the limit, long before the timeout; its output is not kept.
    writeTool(QStringLiteral("az"), QStringLiteral("echo $$ > '%1.pid'\nyes '{\"accessToken\": 1}' &\n"
                                                   "echo $! > '%1.child'\nwait\n")
                                        .arg(file(QStringLiteral("az"))));
    auto options = optionsWithTools<AzureCliCredentialOptions>();
    options.processTimeout = std::chrono::seconds(120);
    const TokenResult result = run<AzureCliCredential>(options, request({kArm}));
    verifyError(result, true,
                QStringLiteral("printed more than 4096 KiB, far more than a token, and was killed"));
    verifyKilled(QStringLiteral("az"));
}

void TestDevTools::azureCliRefusesArgumentsBeforeRunning_data()
{
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QString>("tenantId");
    QTest::addColumn<QString>("subscription");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("no scope") << QStringList{} << QString() << QString()
                              << QStringLiteral("exactly one scope");
    QTest::newRow("two scopes") << QStringList{kArm, kVault} << QString() << QString()
                                << QStringLiteral("exactly one scope");
    QTest::newRow("shell in the scope")
        << QStringList{QStringLiteral("https://x/.default; touch /tmp/pwned")} << QString() << QString()
        << QStringLiteral("An invalid scope was provided");
    QTest::newRow("quote in the scope") << QStringList{QStringLiteral("https://x'/.default")} << QString()
                                        << QString() << QStringLiteral("An invalid scope was provided");
    QTest::newRow("bad configured tenant") << QStringList{kArm} << QStringLiteral("tenant id") << QString()
                                           << QStringLiteral("Invalid tenant ID");
    QTest::newRow("bad subscription") << QStringList{kArm} << QString() << QStringLiteral("sub;scription")
                                      << QStringLiteral("Invalid subscription");
}

void TestDevTools::azureCliRefusesArgumentsBeforeRunning()
{
    QFETCH(QStringList, scopes);
    QFETCH(QString, tenantId);
    QFETCH(QString, subscription);
    QFETCH(QString, fragment);

    writeTool(QStringLiteral("az"), QStringLiteral("exit 0"));
    auto options = optionsWithTools<AzureCliCredentialOptions>();
    options.tenantId = tenantId;
    options.subscription = subscription;
    const TokenResult result = run<AzureCliCredential>(options, request(scopes));
    verifyError(result, false, fragment);
    QVERIFY(!ran(QStringLiteral("az")));
}

void TestDevTools::azureCliClaimsChallenge()
{
    writeTool(QStringLiteral("az"), QStringLiteral("exit 0"));
    const QString claims = QStringLiteral(R"({"access_token":{"acrs":{"essential":true,"value":"c1"}}})");
    auto options = optionsWithTools<AzureCliCredentialOptions>();
    options.tenantId = kTenant;
    const TokenResult result = run<AzureCliCredential>(options, request({kArm}, {}, claims));
    verifyError(result, true,
                QStringLiteral("az login --claims-challenge %1 --tenant %2 --scope %3")
                    .arg(QString::fromLatin1(claims.toUtf8().toBase64()), kTenant, kArm));
    QVERIFY(!ran(QStringLiteral("az")));
}

// ---- Azure Developer CLI ---------------------------------------------------------------------

void TestDevTools::azdSuccess()
{
    writeTool(
        QStringLiteral("azd"),
        QStringLiteral("echo '{\"token\": \"%1\", \"expiresOn\": \"2030-01-01T00:00:00Z\"}'").arg(kAzdToken));
    auto options = optionsWithTools<AzureDeveloperCliCredentialOptions>();
    options.tenantId = kTenant;
    const TokenResult result = run<AzureDeveloperCliCredential>(options, request({kArm, kGraph}));
    QVERIFY2(result.ok(), qPrintable(why(result)));
    QCOMPARE(result.value().token.revealString(), kAzdToken);
    QCOMPARE(result.value().expiresOn, k2030); // UTC, whatever the local time zone
    QCOMPARE(argumentsOf(QStringLiteral("azd")),
             (QStringList{QStringLiteral("auth"), QStringLiteral("token"), QStringLiteral("--output"),
                          QStringLiteral("json"), QStringLiteral("--no-prompt"), QStringLiteral("--scope"),
                          kArm, QStringLiteral("--scope"), kGraph, QStringLiteral("--tenant-id"), kTenant}));
    QVERIFY(environmentOf(QStringLiteral("azd")).contains(QStringLiteral("NO_COLOR=true")));
    QCOMPARE(recorded(QStringLiteral("azd"), QStringLiteral("cwd")).trimmed(),
             QDir(QStringLiteral("/bin")).canonicalPath());
}

void TestDevTools::azdClaimsChallenge()
{
    writeTool(
        QStringLiteral("azd"),
        QStringLiteral("echo '{\"token\": \"%1\", \"expiresOn\": \"2030-01-01T00:00:00Z\"}'").arg(kAzdToken));
    const QString claims = QStringLiteral(R"({"access_token":{"xms_cc":{"values":["CP1"]}}})");
    const TokenResult result = run<AzureDeveloperCliCredential>(
        optionsWithTools<AzureDeveloperCliCredentialOptions>(), request({kArm}, {}, claims));
    QVERIFY2(result.ok(), qPrintable(why(result)));
    const QStringList arguments = argumentsOf(QStringLiteral("azd"));
    QCOMPARE(arguments.mid(arguments.size() - 2),
             (QStringList{QStringLiteral("--claims"), QString::fromLatin1(claims.toUtf8().toBase64())}));
}

void TestDevTools::azdFailures_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<bool>("withinDefaultChain");
    QTest::addColumn<bool>("unavailable");
    QTest::addColumn<QString>("fragment");

    const QString notLoggedIn = QStringLiteral("Please run 'azd auth login'");
    QTest::newRow("not logged in (azd >= 1.23.7)")
        << QStringLiteral("echo '{\"error\":\"not logged in, run `azd auth login` to login\"}' >&2; exit 1")
        << false << true << notLoggedIn;
    QTest::newRow("not logged in (legacy console message)")
        << QStringLiteral(
               "echo '{\"type\":\"consoleMessage\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":"
               "{\"message\":\"\\nERROR: not logged in, run `azd auth login` to login\\n\"}}'; exit 1")
        << false << true << notLoggedIn;
    QTest::newRow("azd too old for claims")
        << QStringLiteral("echo 'Error: unknown flag: --claims' >&2; exit 1") << false << true
        << QStringLiteral("Please update to version 1.18.1 or later");
    const QString aadsts =
        QStringLiteral("AADSTS50076: Due to a configuration change made by your administrator "
                       "you must use multi-factor authentication.");
    QTest::newRow("AADSTS error: a real failure")
        << QStringLiteral(
               "echo '{\"error\":\"%1\",\"message\":\"failed to get token\",\"suggestion\":\"run azd "
               "auth login\"}' >&2; exit 1")
               .arg(aadsts)
        << false << false << aadsts;
    QTest::newRow("AADSTS error within the default chain")
        << QStringLiteral("echo '{\"error\":\"%1\"}' >&2; exit 1").arg(aadsts) << true << true << aadsts;
    QTest::newRow("AADSTS beats not logged in")
        << QStringLiteral(
               "echo '{\"error\":\"not logged in, run `azd auth login` to login (AADSTS700082)\"}' >&2; "
               "exit 1")
        << false << false << QStringLiteral("AADSTS700082");
    QTest::newRow("plain stderr") << QStringLiteral("echo 'ERROR: something broke' >&2; exit 1") << false
                                  << false << QStringLiteral("ERROR: something broke");
    QTest::newRow("silent failure") << QStringLiteral("exit 3") << false << false
                                    << QStringLiteral("Failed to invoke Azure Developer CLI");
    QTest::newRow("the shell's 127") << QStringLiteral("exit 127") << false << true
                                     << QStringLiteral("Azure Developer CLI could not be found");
    QTest::newRow("garbage output") << QStringLiteral("echo 'garbage'") << false << false
                                    << QStringLiteral(
                                           "Unexpected output from Azure Developer CLI: 'garbage'");
    QTest::newRow("token without expiry")
        << QStringLiteral("echo '{\"token\": \"%1\"}'").arg(kLeakedToken) << false << false
        << QStringLiteral("Unexpected output from Azure Developer CLI: '{\"token\": \"****\"}'");
}

void TestDevTools::azdFailures()
{
    QFETCH(QString, body);
    QFETCH(bool, withinDefaultChain);
    QFETCH(bool, unavailable);
    QFETCH(QString, fragment);

    writeTool(QStringLiteral("azd"), body);
    const TokenResult result = run<AzureDeveloperCliCredential>(
        optionsWithTools<AzureDeveloperCliCredentialOptions>(withinDefaultChain), request({kArm}));
    verifyError(result, unavailable, fragment);
}

void TestDevTools::azdNotInstalled()
{
    AzureDeveloperCliCredentialOptions options;
    options.environment = withoutTools();
    verifyError(run<AzureDeveloperCliCredential>(options, request({kArm})), true,
                QStringLiteral("Azure Developer CLI could not be found"));
}

void TestDevTools::azdTimeout()
{
    writeTool(QStringLiteral("azd"), hangingBody(QStringLiteral("azd")));
    auto options = optionsWithTools<AzureDeveloperCliCredentialOptions>();
    options.processTimeout = std::chrono::milliseconds(1500);
    verifyError(
        run<AzureDeveloperCliCredential>(options, request({kArm})), true,
        QStringLiteral("Failed to invoke the Azure Developer CLI. Azure Developer CLI did not finish within "
                       "1500 ms (process_timeout) and was killed."));
    verifyKilled(QStringLiteral("azd"));
}

void TestDevTools::azdRefusesArgumentsBeforeRunning()
{
    writeTool(QStringLiteral("azd"), QStringLiteral("exit 0"));
    verifyError(
        run<AzureDeveloperCliCredential>(optionsWithTools<AzureDeveloperCliCredentialOptions>(), request({})),
        false, QStringLiteral("Missing scope"));
    verifyError(run<AzureDeveloperCliCredential>(optionsWithTools<AzureDeveloperCliCredentialOptions>(),
                                                 request({kArm, QStringLiteral("$(id)")})),
                false, QStringLiteral("An invalid scope was provided"));
    QVERIFY(!ran(QStringLiteral("azd")));
}

// ---- Azure PowerShell ------------------------------------------------------------------------

void TestDevTools::powerShellSuccess()
{
    writeTool(QStringLiteral("pwsh"),
              QStringLiteral("printf '%s' \"$4\" | base64 -d | iconv -f UTF-16LE -t UTF-8 > '%1.script'\n"
                             "echo 'WARNING: Upcoming breaking changes in the cmdlet Get-AzAccessToken'\n"
                             "printf '\\nazsdk%%%2%%%3\\n\\n'")
                  .arg(file(QStringLiteral("pwsh")), kPwshToken)
                  .arg(k2030));
    auto options = optionsWithTools<AzurePowerShellCredentialOptions>();
    options.tenantId = kTenant;
    const TokenResult result = run<AzurePowerShellCredential>(options, request({kVault}));
    QVERIFY2(result.ok(), qPrintable(why(result)));
    QCOMPARE(result.value().token.revealString(), kPwshToken);
    QCOMPARE(result.value().expiresOn, k2030);

    const QStringList arguments = argumentsOf(QStringLiteral("pwsh"));
    QCOMPARE(arguments.size(), 4);
    QCOMPARE(arguments.mid(0, 3),
             (QStringList{QStringLiteral("-NoProfile"), QStringLiteral("-NonInteractive"),
                          QStringLiteral("-EncodedCommand")}));
    const QString script = recorded(QStringLiteral("pwsh"), QStringLiteral("script"));
    QVERIFY2(script.contains(QStringLiteral("'ResourceUrl' = 'https://vault.azure.net'")),
             qPrintable(script));
    QVERIFY2(script.contains(QStringLiteral("$tenantId = '%1'").arg(kTenant)), qPrintable(script));
    QVERIFY(script.contains(QStringLiteral("Get-AzAccessToken @params")));
    QCOMPARE(recorded(QStringLiteral("pwsh"), QStringLiteral("cwd")).trimmed(),
             QDir(QStringLiteral("/bin")).canonicalPath());
}

void TestDevTools::powerShellFailures_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<bool>("withinDefaultChain");
    QTest::addColumn<bool>("unavailable");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("no Az.Accounts module") << QStringLiteral("echo NO_AZ_ACCOUNT_MODULE") << false << true
                                           << QStringLiteral("Az.Account module >= 2.2.0 is not installed");
    QTest::newRow("not logged in")
        << QStringLiteral("echo 'Get-AzAccessToken: Run Connect-AzAccount to login.' >&2; exit 1") << false
        << true << QStringLiteral("Please run \"Connect-AzAccount\" to set up account");
    QTest::newRow("execution policy")
        << QStringLiteral("echo 'Import-Module: AuthorizationManager check failed.' >&2; exit 1") << false
        << true << QStringLiteral("Execution policy prevented invoking Azure PowerShell");
    QTest::newRow("any other failure is unavailable")
        << QStringLiteral("echo 'Get-AzAccessToken: AADSTS50076: MFA required' >&2; exit 1") << false << true
        << QStringLiteral("Failed to invoke PowerShell (exit code 1). PowerShell said: Get-AzAccessToken: "
                          "AADSTS50076: MFA required");
    QTest::newRow("no marker") << QStringLiteral("echo 'something unexpected'") << false << false
                               << QStringLiteral(
                                      "Unexpected output from Get-AzAccessToken: \"something unexpected\"");
    QTest::newRow("no marker within the default chain")
        << QStringLiteral("echo 'something unexpected'") << true << true
        << QStringLiteral("Unexpected output from Get-AzAccessToken");
    QTest::newRow("broken marker with a token")
        << QStringLiteral("echo 'azsdk%") + kLeakedToken + QStringLiteral("%soon'") << false << false
        << QStringLiteral("Unexpected output from Get-AzAccessToken: \"azsdk%****%soon\"");
    QTest::newRow("the shell's 127") << QStringLiteral("exit 127") << false << true
                                     << QStringLiteral("PowerShell is not installed");
}

void TestDevTools::powerShellFailures()
{
    QFETCH(QString, body);
    QFETCH(bool, withinDefaultChain);
    QFETCH(bool, unavailable);
    QFETCH(QString, fragment);

    writeTool(QStringLiteral("pwsh"), body);
    const TokenResult result = run<AzurePowerShellCredential>(
        optionsWithTools<AzurePowerShellCredentialOptions>(withinDefaultChain), request({kArm}));
    verifyError(result, unavailable, fragment);
}

void TestDevTools::powerShellNotInstalled()
{
    AzurePowerShellCredentialOptions options;
    options.environment = withoutTools();
    verifyError(run<AzurePowerShellCredential>(options, request({kArm})), true,
                QStringLiteral("PowerShell is not installed"));
}

void TestDevTools::powerShellTimeout()
{
    writeTool(QStringLiteral("pwsh"), hangingBody(QStringLiteral("pwsh")));
    auto options = optionsWithTools<AzurePowerShellCredentialOptions>();
    options.processTimeout = std::chrono::milliseconds(1000);
    verifyError(
        run<AzurePowerShellCredential>(options, request({kArm})), true,
        QStringLiteral("PowerShell did not finish within 1 second (process_timeout) and was killed."));
    verifyKilled(QStringLiteral("pwsh"));
}

void TestDevTools::powerShellClaimsChallenge()
{
    writeTool(QStringLiteral("pwsh"), QStringLiteral("exit 0"));
    const QString claims = QStringLiteral(R"({"access_token":{"acrs":{"essential":true,"value":"c1"}}})");
    verifyError(run<AzurePowerShellCredential>(optionsWithTools<AzurePowerShellCredentialOptions>(),
                                               request({kArm}, {}, claims)),
                true,
                QStringLiteral("Connect-AzAccount -ClaimsChallenge %1")
                    .arg(QString::fromLatin1(claims.toUtf8().toBase64())));
    QVERIFY(!ran(QStringLiteral("pwsh")));
}

// ---- Visual Studio Code, lifetimes, injection ------------------------------------------------

void TestDevTools::visualStudioCodeIsUnavailable()
{
    VisualStudioCodeCredentialOptions options;
    options.tenantId = kTenant;
    VisualStudioCodeCredential credential(options);
    QCOMPARE(credential.name(), QStringLiteral("VisualStudioCodeCredential"));
    const TokenResult result = await(credential.getTokenInfo(request({kArm})));
    verifyError(result, true, QStringLiteral("AzureCliCredential"));
    QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
}

void TestDevTools::deletingTheCredentialKillsTheTool()
{
    writeTool(QStringLiteral("az"), hangingBody(QStringLiteral("az")));
    auto *credential = new AzureCliCredential(optionsWithTools<AzureCliCredentialOptions>());
    QFuture<TokenResult> future = credential->getTokenInfo(request({kArm}));
    QTRY_VERIFY(QFile::exists(file(QStringLiteral("az.child"))));
    delete credential;
    const TokenResult result = await(future);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().isUnavailable(), qPrintable(why(result)));
    verifyKilled(QStringLiteral("az"));
}

void TestDevTools::injectedRunnerIsUsed()
{
    // The application can put its own runner in front of the real one (to log, to sandbox...).
    class RecordingRunner final : public ProcessRunner
    {
    public:
        QList<ProcessRequest> requests;
        std::shared_ptr<ProcessRunner> real = ProcessRunner::createDefault();
        QFuture<ProcessOutcome> run(const ProcessRequest &processRequest) override
        {
            requests.append(processRequest);
            return real->run(processRequest);
        }
    };
    auto runner = std::make_shared<RecordingRunner>();
    writeTool(
        QStringLiteral("azd"),
        QStringLiteral("echo '{\"token\": \"%1\", \"expiresOn\": \"2030-01-01T00:00:00Z\"}'").arg(kAzdToken));
    auto options = optionsWithTools<AzureDeveloperCliCredentialOptions>();
    options.processRunner = runner;
    options.processTimeout = std::chrono::milliseconds(7000);
    const TokenResult result = run<AzureDeveloperCliCredential>(options, request({kArm}));
    QVERIFY2(result.ok(), qPrintable(why(result)));
    QCOMPARE(runner->requests.size(), 1);
    QCOMPARE(runner->requests.first().program, QStringLiteral("azd"));
    QCOMPARE(runner->requests.first().timeout, std::chrono::milliseconds(7000));
    QCOMPARE(runner->requests.first().environment.value(QStringLiteral("NO_COLOR")), QStringLiteral("true"));
}

QTEST_GUILESS_MAIN(TestDevTools)
#include "tst_devtools.moc"
