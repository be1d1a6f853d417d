// The developer tools' own protocols, each with the real tool as the client: Debian's azure.identity
// and npm @azure/identity (AzureCliCredential) through the az shim, kubectl through
// `azid-cli kubectl-credential`, and git through git-credential-azid, against a local HTTPS server
// that checks the tokens it is given (token_checking_server.py). The account is signed in against
// azid-sandbox with the real Secret Service (this test runs under run-with-keyring.sh).
#include "childserver.h"
#include "processrun.h"
#include "sandbox.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString AzureDevOps = QStringLiteral("499b84ac-1321-427f-aa17-267ca6975798");
// The server application of AKS clusters with Entra ID integration: what kubelogin asks for.
const QString AksServer = QStringLiteral("6dae42f8-4368-4678-94ff-3960e28e3630");
const QString Alice = QStringLiteral("alice@contoso.test");
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Fabrikam = QStringLiteral("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
const QString Profile = QStringLiteral("tools");
const QString NobodysProfile = QStringLiteral("nobody");

using Run = azid::test::ProcessRun;

QJsonObject claimsOf(const QString &token)
{
    const QByteArray payload = token.section(QLatin1Char('.'), 1, 1).toLatin1();
    return QJsonDocument::fromJson(QByteArray::fromBase64(payload, QByteArray::Base64UrlEncoding)).object();
}

QString cliFolder()
{
    return QFileInfo(QStringLiteral(AZID_CLI_PATH)).absolutePath();
}

} // namespace

class TestTools : public QObject
{
    Q_OBJECT

private:
    static bool kubectlSpeaksV1(const QString &kubectl);
    void checkExecCredentialV1();
    azid::test::Sandbox m_sandbox;
    QTemporaryDir m_scratch;

    static Run run(const QString &program, const QStringList &arguments,
                   const QProcessEnvironment &environment, const QByteArray &input = {},
                   const QString &workingDirectory = {})
    {
        return azid::test::runProcess(program, arguments, environment, input, workingDirectory);
    }

    // A developer's shell: the az shim's folder first on PATH (as the README says to), azid-cli's
    // folder (with git-credential-azid) after it, and the profile the test signed in.
    static QProcessEnvironment developerShell(const QString &profile = Profile)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("PATH"), cliFolder() + QStringLiteral("/az-shim:") + cliFolder() +
                                                       QLatin1Char(':') +
                                                       environment.value(QStringLiteral("PATH")));
        environment.insert(QStringLiteral("AZID_PROFILE"), profile);
        return environment;
    }

    static Run cli(const QStringList &arguments, const QProcessEnvironment &environment = developerShell())
    {
        return run(QStringLiteral(AZID_CLI_PATH), arguments, environment);
    }

    // What `azid-cli token` gives for the scope: what every tool must get.
    static QJsonObject cliToken(const QString &scope)
    {
        const Run token = cli({QStringLiteral("token"), QStringLiteral("--scope"), scope});
        if (token.exitCode != 0)
            qWarning("azid-cli token: %s", qPrintable(token.describe()));
        return token.json();
    }

    // The server a tool talks to, which accepts only the signed-in user's tokens for `audience`.
    bool startTokenServer(azid::test::ChildServer &server, const QString &audience, const QStringList &mode)
    {
        const bool started = server.start(QStringLiteral(AZID_TOOLS_DIR "/token_checking_server.py"),
                                          QStringList{QStringLiteral("--sandbox"), m_sandbox.authority(),
                                                      QStringLiteral("--sandbox-ca"), m_sandbox.caFile(),
                                                      QStringLiteral("--audience"), audience,
                                                      QStringLiteral("--user"), Alice} +
                                              mode,
                                          "TOKEN_SERVER_READY");
        if (!started)
            qWarning("%s", qPrintable(server.errorString()));
        return started;
    }

    void checkAzureCliCredentialClient(const QString &program, const QStringList &prefix);

private slots:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("AZID_TEST_KEYRING"),
                 "run this test through tests/support/run-with-keyring.sh (ctest does)");
        QVERIFY(m_scratch.isValid());
        QVERIFY2(m_sandbox.start({QStringLiteral("--auto-approve")}), qPrintable(m_sandbox.errorString()));
        const Run signIn =
            run(QStringLiteral(AZID_CLI_PATH),
                {QStringLiteral("--authority"), m_sandbox.authority(), QStringLiteral("--ca-bundle"),
                 m_sandbox.caFile(), QStringLiteral("--disable-instance-discovery"), QStringLiteral("login"),
                 QStringLiteral("--flow"), QStringLiteral("password"), QStringLiteral("--username"), Alice,
                 QStringLiteral("--password-stdin"), QStringLiteral("--scope"), Arm},
                developerShell(), "alice-password-1\n");
        QVERIFY2(signIn.exitCode == 0, qPrintable(signIn.describe()));
    }

    // azid-cli token --output az prints what `az account get-access-token --output json` prints.
    void tokenOutputAz()
    {
        const Run az = cli({QStringLiteral("token"), QStringLiteral("--scope"), Arm,
                            QStringLiteral("--output"), QStringLiteral("az")});
        QVERIFY2(az.exitCode == 0, qPrintable(az.describe()));
        const QJsonObject object = az.json();
        QCOMPARE(object.keys(), (QStringList{QStringLiteral("accessToken"), QStringLiteral("expiresOn"),
                                             QStringLiteral("expires_on"), QStringLiteral("subscription"),
                                             QStringLiteral("tenant"), QStringLiteral("tokenType")}));
        const QJsonObject plain = cliToken(Arm);
        QCOMPARE(object.value(QStringLiteral("accessToken")), plain.value(QStringLiteral("token")));
        const qint64 expiresOn = plain.value(QStringLiteral("expires_on")).toInteger();
        QCOMPARE(object.value(QStringLiteral("expires_on")).toInteger(), expiresOn);
        // expiresOn: a naive local time with microseconds, the same instant.
        const QDateTime local = QDateTime::fromString(object.value(QStringLiteral("expiresOn")).toString(),
                                                      QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz000"));
        QVERIFY(local.isValid());
        QCOMPARE(local.toSecsSinceEpoch(), expiresOn);
        QCOMPARE(object.value(QStringLiteral("tenant")).toString(), Contoso);
        QCOMPARE(object.value(QStringLiteral("subscription")).toString(), Contoso);
        QCOMPARE(object.value(QStringLiteral("tokenType")).toString(), QStringLiteral("Bearer"));
        QVERIFY(az.out.startsWith("{\n  \"accessToken\": \""));
    }

    // The shim run as a script runs az: the same answers, az's errors.
    void azShimCommands()
    {
        const QString az = cliFolder() + QStringLiteral("/az-shim/az");
        const Run token =
            run(az,
                {QStringLiteral("account"), QStringLiteral("get-access-token"), QStringLiteral("--query"),
                 QStringLiteral("accessToken"), QStringLiteral("-o"), QStringLiteral("tsv")},
                developerShell());
        QVERIFY2(token.exitCode == 0, qPrintable(token.describe()));
        QCOMPARE(claimsOf(QString::fromUtf8(token.out.trimmed())).value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://management.core.windows.net"));

        const Run show = run(az, {QStringLiteral("account"), QStringLiteral("show")}, developerShell());
        QVERIFY2(show.exitCode == 0, qPrintable(show.describe()));
        QCOMPARE(
            show.json().value(QStringLiteral("user")).toObject().value(QStringLiteral("name")).toString(),
            Alice);
        QCOMPARE(show.json().value(QStringLiteral("tenantId")).toString(), Contoso);

        const Run nobody =
            run(az, {QStringLiteral("account"), QStringLiteral("show")}, developerShell(NobodysProfile));
        QCOMPARE(nobody.exitCode, 1);
        QVERIFY2(nobody.err.startsWith("ERROR: ") && nobody.err.contains("az login"),
                 qPrintable(nobody.describe()));

        const Run other = run(az, {QStringLiteral("group"), QStringLiteral("list")}, developerShell());
        QCOMPARE(other.exitCode, 2);
        QVERIFY(other.out.isEmpty());
    }

    void pythonAzureCliCredential()
    {
        checkAzureCliCredentialClient(QStringLiteral(AZID_TEST_PYTHON),
                                      {QStringLiteral(AZID_TOOLS_DIR "/azure_cli_client.py")});
    }

    void nodeAzureCliCredential()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        QVERIFY2(!node.isEmpty(), "node is not installed (scripts/install-deps.sh)");
        QVERIFY2(QFileInfo::exists(
                     QStringLiteral(AZID_CONFORMANCE_DIR "/node_modules/@azure/identity/package.json")),
                 "npm @azure/identity is missing: run scripts/npm-deps.sh");
        checkAzureCliCredentialClient(node, {QStringLiteral(AZID_TOOLS_DIR "/azure_cli_client.mjs"),
                                             QStringLiteral(AZID_CONFORMANCE_DIR)});
    }

    void kubectlExecPlugin_data();
    void kubectlExecPlugin();
    void gitCredentialFillAndErase();
    void gitCloneOverHttps();
};

// The SDK's AzureCliCredential, with the shim first on PATH: Azid's token for the account; its tenant
// when a tenant is asked for; CredentialUnavailableError (so that a chain goes on) when no account is
// signed in.
void TestTools::checkAzureCliCredentialClient(const QString &program, const QStringList &prefix)
{
    const Run signedIn = run(program, prefix + QStringList{Arm}, developerShell());
    QVERIFY2(signedIn.exitCode == 0 && !signedIn.json().contains(QStringLiteral("error")),
             qPrintable(signedIn.describe()));
    const QJsonObject expected = cliToken(Arm);
    QCOMPARE(signedIn.json().value(QStringLiteral("token")), expected.value(QStringLiteral("token")));
    QCOMPARE(signedIn.json().value(QStringLiteral("expires_on")).toInteger(),
             expected.value(QStringLiteral("expires_on")).toInteger());

    const Run guest = run(program, prefix + QStringList{Arm, Fabrikam}, developerShell());
    QVERIFY2(guest.json().contains(QStringLiteral("token")), qPrintable(guest.describe()));
    const QJsonObject claims = claimsOf(guest.json().value(QStringLiteral("token")).toString());
    QCOMPARE(claims.value(QStringLiteral("tid")).toString(), Fabrikam);
    QCOMPARE(claims.value(QStringLiteral("upn")).toString(), Alice);

    const Run nobody = run(program, prefix + QStringList{Arm}, developerShell(NobodysProfile));
    QVERIFY2(nobody.exitCode == 0, qPrintable(nobody.describe()));
    QCOMPARE(nobody.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("CredentialUnavailableError"));
    QVERIFY2(nobody.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("az login")),
             qPrintable(nobody.describe()));
}

void TestTools::kubectlExecPlugin_data()
{
    QTest::addColumn<QString>("apiVersion");
    QTest::newRow("v1beta1") << QStringLiteral("client.authentication.k8s.io/v1beta1");
    QTest::newRow("v1") << QStringLiteral("client.authentication.k8s.io/v1");
}

// Whether this kubectl runs exec plugins of client.authentication.k8s.io/v1 (kubectl 1.22 and later).
bool TestTools::kubectlSpeaksV1(const QString &kubectl)
{
    const Run version =
        run(kubectl, {QStringLiteral("version"), QStringLiteral("--client"), QStringLiteral("--output=json")},
            developerShell());
    const QJsonObject client = version.json().value(QStringLiteral("clientVersion")).toObject();
    const int major = client.value(QStringLiteral("major")).toString().toInt();
    const int minor = client.value(QStringLiteral("minor")).toString().remove(QLatin1Char('+')).toInt();
    return major > 1 || (major == 1 && minor >= 22);
}

// The plugin's answer when kubectl asks for v1: an ExecCredential of that version with the token and
// an RFC 3339 expiry.
void TestTools::checkExecCredentialV1()
{
    QProcessEnvironment environment = developerShell();
    environment.insert(
        QStringLiteral("KUBERNETES_EXEC_INFO"),
        QStringLiteral("{\"kind\":\"ExecCredential\",\"apiVersion\":"
                       "\"client.authentication.k8s.io/v1\",\"spec\":{\"interactive\":false}}"));
    const Run plugin = cli({QStringLiteral("kubectl-credential"), QStringLiteral("--scope"),
                            AksServer + QStringLiteral("/.default")},
                           environment);
    QVERIFY2(plugin.exitCode == 0, qPrintable(plugin.describe()));
    const QJsonObject credential = plugin.json();
    QCOMPARE(credential.value(QStringLiteral("kind")).toString(), QStringLiteral("ExecCredential"));
    QCOMPARE(credential.value(QStringLiteral("apiVersion")).toString(),
             QStringLiteral("client.authentication.k8s.io/v1"));
    const QJsonObject status = credential.value(QStringLiteral("status")).toObject();
    QVERIFY(status.value(QStringLiteral("token")).toString().startsWith(QStringLiteral("eyJ")));
    QVERIFY(QDateTime::fromString(status.value(QStringLiteral("expirationTimestamp")).toString(), Qt::ISODate)
                .isValid());
}

// kubectl asks `azid-cli kubectl-credential` for a credential and sends its token to an HTTPS server
// that accepts only a token for the cluster's audience signed for the account.
void TestTools::kubectlExecPlugin()
{
    QFETCH(QString, apiVersion);
    azid::test::ChildServer server;
    QVERIFY(startTokenServer(server, AksServer, {QStringLiteral("--kubernetes")}));
    const auto kubeconfig = [&](const QString &scope) {
        const QString path = m_scratch.filePath(
            QStringLiteral("kubeconfig-%1").arg(QString::fromLatin1(QTest::currentDataTag())));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return QString();
        // Only v1 knows (and needs) interactiveMode.
        const QString interactive = apiVersion.endsWith(QStringLiteral("/v1"))
                                        ? QStringLiteral("      interactiveMode: Never\n")
                                        : QString();
        file.write(QStringLiteral("apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n"
                                  "    server: https://127.0.0.1:%1\n    certificate-authority: %2\n"
                                  "users:\n- name: azid\n  user:\n    exec:\n      apiVersion: %3\n"
                                  "      command: %4\n      args: [kubectl-credential, --scope, \"%5\"]\n%6"
                                  "contexts:\n- name: local\n  context: {cluster: local, user: azid}\n"
                                  "current-context: local\n")
                       .arg(server.value("PORT"), server.value("CA_FILE"), apiVersion,
                            QStringLiteral(AZID_CLI_PATH), scope, interactive)
                       .toUtf8());
        return path;
    };
    const QString kubectl = qEnvironmentVariable("AZID_TEST_KUBECTL", QStringLiteral(AZID_KUBECTL));
    if (apiVersion.endsWith(QStringLiteral("/v1")) && !kubectlSpeaksV1(kubectl)) {
        // Debian 12's kubectl (1.20) knows only v1beta1: the plugin's v1 answer is checked as kubectl
        // 1.22 and later reads it, from the KUBERNETES_EXEC_INFO such a kubectl sets.
        checkExecCredentialV1();
        return;
    }
    const QStringList getNamespace{QStringLiteral("get"), QStringLiteral("--raw"),
                                   QStringLiteral("/api/v1/namespaces/default")};

    const Run accepted =
        run(kubectl,
            QStringList{QStringLiteral("--kubeconfig"), kubeconfig(AksServer + QStringLiteral("/.default"))} +
                getNamespace,
            developerShell());
    QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.describe()));
    QCOMPARE(
        accepted.json().value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString(),
        QStringLiteral("checked-for-") + Alice);

    // The server does check: a token for another audience is refused, and kubectl says so.
    const Run refused =
        run(kubectl, QStringList{QStringLiteral("--kubeconfig"), kubeconfig(Arm)} + getNamespace,
            developerShell());
    QVERIFY2(refused.exitCode != 0, qPrintable(refused.describe()));
    QVERIFY2(refused.err.contains("nauthorized"), qPrintable(refused.describe()));
}

// git credential fill asks git-credential-azid (credential.helper azid): Azid's Azure DevOps token as
// the password. After git rejects it (erase), the next fill brings a refreshed one.
void TestTools::gitCredentialFillAndErase()
{
    const QStringList git{QStringLiteral("-c"), QStringLiteral("credential.helper="), QStringLiteral("-c"),
                          QStringLiteral("credential.helper=azid")};
    const QByteArray request = "protocol=https\nhost=dev.azure.com\npath=contoso/project/_git/repo\n\n";
    const Run fill =
        run(QStringLiteral("git"), git + QStringList{QStringLiteral("credential"), QStringLiteral("fill")},
            developerShell(), request);
    QVERIFY2(fill.exitCode == 0, qPrintable(fill.describe()));
    const QString expected =
        cliToken(AzureDevOps + QStringLiteral("/.default")).value(QStringLiteral("token")).toString();
    QVERIFY(!expected.isEmpty());
    QVERIFY2(fill.out.contains("\npassword=" + expected.toUtf8() + '\n'), qPrintable(fill.describe()));
    QVERIFY(fill.out.contains("username=" + Alice.toUtf8() + '\n'));
    QCOMPARE(claimsOf(expected).value(QStringLiteral("aud")).toString(), AzureDevOps);

    // store is ignored; a fill after it is served from the cache, nothing reaches the authority.
    m_sandbox.clearRequests();
    const Run approve =
        run(QStringLiteral("git"), git + QStringList{QStringLiteral("credential"), QStringLiteral("approve")},
            developerShell(), fill.out + '\n');
    QCOMPARE(approve.exitCode, 0);
    const Run cached =
        run(QStringLiteral("git"), git + QStringList{QStringLiteral("credential"), QStringLiteral("fill")},
            developerShell(), request);
    QVERIFY(cached.out.contains("\npassword=" + expected.toUtf8() + '\n'));
    QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);

    const Run reject =
        run(QStringLiteral("git"), git + QStringList{QStringLiteral("credential"), QStringLiteral("reject")},
            developerShell(), fill.out + '\n');
    QVERIFY2(reject.exitCode == 0, qPrintable(reject.describe()));
    const Run refreshed =
        run(QStringLiteral("git"), git + QStringList{QStringLiteral("credential"), QStringLiteral("fill")},
            developerShell(), request);
    QVERIFY2(refreshed.exitCode == 0, qPrintable(refreshed.describe()));
    QVERIFY2(!refreshed.out.contains(expected.toUtf8()), qPrintable(refreshed.describe()));
    QVERIFY(refreshed.out.contains("\npassword=ey"));
    QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
}

// A clone over HTTPS from a smart-HTTP server (git http-backend) that accepts only Azid's Azure DevOps
// token for the account, with credential.helper azid; without the helper, the same clone is refused.
void TestTools::gitCloneOverHttps()
{
    const QString root = m_scratch.filePath(QStringLiteral("git-root"));
    const QString work = m_scratch.filePath(QStringLiteral("git-work"));
    QVERIFY(QDir().mkpath(root) && QDir().mkpath(work));
    const QProcessEnvironment shell = developerShell();
    const auto git = [&](const QStringList &arguments, const QString &in = {}) {
        return run(QStringLiteral("git"),
                   QStringList{QStringLiteral("-c"), QStringLiteral("user.name=Azid Test"),
                               QStringLiteral("-c"), QStringLiteral("user.email=test@azid.test")} +
                       arguments,
                   shell, {}, in);
    };
    QCOMPARE(git({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("--bare"),
                  root + QStringLiteral("/repo.git")})
                 .exitCode,
             0);
    QFile readme(work + QStringLiteral("/README"));
    QVERIFY(readme.open(QIODevice::WriteOnly));
    readme.write("served to a token Azid gave\n");
    readme.close();
    QCOMPARE(git({QStringLiteral("init"), QStringLiteral("-q")}, work).exitCode, 0);
    QCOMPARE(git({QStringLiteral("add"), QStringLiteral("README")}, work).exitCode, 0);
    QCOMPARE(
        git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("first")},
            work)
            .exitCode,
        0);
    QCOMPARE(git({QStringLiteral("push"), QStringLiteral("-q"), root + QStringLiteral("/repo.git"),
                  QStringLiteral("HEAD:refs/heads/main")},
                 work)
                 .exitCode,
             0);

    azid::test::ChildServer server;
    QVERIFY(startTokenServer(server, AzureDevOps, {QStringLiteral("--git-root"), root}));
    const QString url = QStringLiteral("https://127.0.0.1:%1/repo.git").arg(server.value("PORT"));
    // GIT_SSL_CAINFO, not http.sslCAInfo: a machine's environment may set the variable, which wins.
    const QStringList noHelper{QStringLiteral("-c"), QStringLiteral("credential.helper=")};
    QProcessEnvironment noPrompt = shell;
    noPrompt.insert(QStringLiteral("GIT_TERMINAL_PROMPT"), QStringLiteral("0"));
    noPrompt.insert(QStringLiteral("GIT_SSL_CAINFO"), server.value("CA_FILE"));

    const Run refused = run(
        QStringLiteral("git"),
        noHelper + QStringList{QStringLiteral("clone"), url, m_scratch.filePath(QStringLiteral("refused"))},
        noPrompt);
    QVERIFY2(refused.exitCode != 0, qPrintable(refused.describe()));
    // Refused for want of a credential (401, and git may not ask the person), not for TLS.
    QVERIFY2(refused.err.contains("could not read Username"), qPrintable(refused.describe()));

    const Run clone =
        run(QStringLiteral("git"),
            noHelper + QStringList{QStringLiteral("-c"), QStringLiteral("credential.helper=azid"),
                                   QStringLiteral("clone"), QStringLiteral("-b"), QStringLiteral("main"), url,
                                   m_scratch.filePath(QStringLiteral("clone"))},
            noPrompt);
    QVERIFY2(clone.exitCode == 0, qPrintable(clone.describe()));
    QFile cloned(m_scratch.filePath(QStringLiteral("clone/README")));
    QVERIFY(cloned.open(QIODevice::ReadOnly));
    QCOMPARE(cloned.readAll(), QByteArray("served to a token Azid gave\n"));
}

QTEST_GUILESS_MAIN(TestTools)
#include "tst_tools.moc"
