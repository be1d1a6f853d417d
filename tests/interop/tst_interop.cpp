// Azid and Python's azure.identity (Debian's python3-azure, msal, msal-extensions) share one persistent
// token cache, both ways: what one signs in, the other uses silently. Everything real: the Secret
// Service of run-with-keyring.sh (one D-Bus session for both), azid-sandbox over TLS, azid-cli as a
// user runs it, and azure.identity through tests/interop/azure_identity_peer.py.
#include "sandbox.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <sys/stat.h>

namespace {

const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(400)), QString::fromUtf8(err.right(1500)));
    }
};

QString identityService(const QString &name = {})
{
    return QDir::home().filePath(QStringLiteral(".IdentityService/") + name);
}

} // namespace

class TestInterop : public QObject
{
    Q_OBJECT

private:
    azid::test::Sandbox m_sandbox;
    QJsonObject m_facts;
    QProcessEnvironment m_env = QProcessEnvironment::systemEnvironment();

    Run run(const QString &program, const QStringList &arguments, const QByteArray &input = {},
            const QProcessEnvironment *environment = nullptr)
    {
        QProcess process;
        process.setProcessEnvironment(environment ? *environment : m_env);
        process.start(program, arguments);
        if (!process.waitForStarted(10000))
            return {};
        process.write(input);
        process.closeWriteChannel();
        process.waitForFinished(180000);
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }

    Run python(const QStringList &arguments, const QByteArray &input = {},
               const QProcessEnvironment *environment = nullptr)
    {
        return run(QStringLiteral(AZID_TEST_PYTHON),
                   QStringList{QStringLiteral(AZID_PEER_SCRIPT)} + arguments, input, environment);
    }

    Run cli(const QStringList &arguments, const QByteArray &input = {},
            const QProcessEnvironment *environment = nullptr)
    {
        return run(QStringLiteral(AZID_CLI_PATH),
                   QStringList{QStringLiteral("--authority"), m_sandbox.authority(),
                               QStringLiteral("--ca-bundle"), m_sandbox.caFile(),
                               QStringLiteral("--disable-instance-discovery")} +
                       arguments,
                   input, environment);
    }

    Run pythonSignIn(const QString &user, const QByteArray &password, const QStringList &extra = {},
                     const QProcessEnvironment *environment = nullptr)
    {
        return python(QStringList{QStringLiteral("signin"), QStringLiteral("--authority"),
                                  m_sandbox.authority(), QStringLiteral("--username"), user,
                                  QStringLiteral("--scope"), Arm} +
                          extra,
                      password + '\n', environment);
    }

    Run azidSharedToken(const QStringList &extra, const QProcessEnvironment *environment = nullptr)
    {
        return cli(QStringList{QStringLiteral("--output"), QStringLiteral("json"), QStringLiteral("token"),
                               QStringLiteral("--credential"), QStringLiteral("shared-token-cache")} +
                       extra,
                   {}, environment);
    }

    Run pythonSharedToken(const QStringList &extra, const QProcessEnvironment *environment = nullptr)
    {
        return python(QStringList{QStringLiteral("shared-token"), QStringLiteral("--authority"),
                                  m_sandbox.authority()} +
                          extra,
                      {}, environment);
    }

    Run azidLogin(const QString &profile, const QString &user, const QByteArray &password,
                  const QStringList &extra = {}, const QProcessEnvironment *environment = nullptr)
    {
        return cli(QStringList{QStringLiteral("--profile"), profile} + extra +
                       QStringList{QStringLiteral("login"), QStringLiteral("--flow"),
                                   QStringLiteral("password"), QStringLiteral("--username"), user,
                                   QStringLiteral("--password-stdin"), QStringLiteral("--scope"), Arm,
                                   QStringLiteral("--shared-cache")},
                   password + '\n', environment);
    }

    void clearSharedCache()
    {
        const Run cleared = python({QStringLiteral("clear"), QStringLiteral("msal.cache"),
                                    QStringLiteral("msal.cache.nocae"), QStringLiteral("msal.cache.cae")});
        QVERIFY2(cleared.exitCode == 0, qPrintable(cleared.describe()));
        QDir(identityService()).removeRecursively();
    }

    QJsonObject item(const QString &name)
    {
        const Run read = python({QStringLiteral("read-item"), name});
        return read.json().value(QStringLiteral("cache")).toObject();
    }

    static int countEntries(const QJsonObject &cache, const QString &section, const QString &field,
                            const QString &value)
    {
        int count = 0;
        for (const QJsonValue &entry : cache.value(section).toObject())
            count += entry.toObject().value(field).toString() == value ? 1 : 0;
        return count;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(qEnvironmentVariable("AZID_TEST_KEYRING") == QLatin1String("unlocked"),
                 "run this test through tests/support/run-with-keyring.sh (ctest does)");
        QVERIFY2(m_sandbox.start({QStringLiteral("--quiet")}), qPrintable(m_sandbox.errorString()));
        m_env.insert(QStringLiteral("REQUESTS_CA_BUNDLE"), m_sandbox.caFile());
        m_env.insert(QStringLiteral("SSL_CERT_FILE"), m_sandbox.caFile());
        for (const char *proxy :
             {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "AZURE_AUTHORITY_HOST"})
            m_env.remove(QString::fromLatin1(proxy));
        const Run facts = python({QStringLiteral("facts")});
        QVERIFY2(facts.exitCode == 0, qPrintable(facts.describe()));
        m_facts = facts.json();
        qInfo().noquote() << "azure.identity" << m_facts.value(QStringLiteral("azure_identity")).toString()
                          << "msal" << m_facts.value(QStringLiteral("msal")).toString() << "msal-extensions"
                          << m_facts.value(QStringLiteral("msal_extensions")).toString() << "- default cache:"
                          << m_facts.value(QStringLiteral("default_cache_name")).toString();
    }

    void init() { clearSharedCache(); }

    // The names: Azid keeps both namings in step, so every azure.identity version finds the sign-ins.
    void theCacheNameAzureIdentityUses()
    {
        const QString pythonName = m_facts.value(QStringLiteral("default_cache_name")).toString();
        QVERIFY(pythonName == QStringLiteral("msal.cache") ||
                pythonName == QStringLiteral("msal.cache.nocae"));
        const Run login =
            azidLogin(QStringLiteral("names"), QStringLiteral("bob@contoso.test"), "bob-password-1");
        QVERIFY2(login.exitCode == 0, qPrintable(login.describe()));
        for (const QString &name : {QStringLiteral("msal.cache"), QStringLiteral("msal.cache.nocae")}) {
            const QJsonObject cache = item(name);
            QCOMPARE(countEntries(cache, QStringLiteral("Account"), QStringLiteral("username"),
                                  QStringLiteral("bob@contoso.test")),
                     1);
            QVERIFY(QFile::exists(identityService(name))); // the signal file
        }
    }

    void pythonSignsInAzidGetsTokensSilently()
    {
        const Run signin = pythonSignIn(QStringLiteral("alice@contoso.test"), "alice-password-1");
        QVERIFY2(signin.exitCode == 0, qPrintable(signin.describe()));
        const QString pythonToken = signin.json().value(QStringLiteral("token")).toString();
        const QJsonObject record = signin.json().value(QStringLiteral("record")).toObject();
        QCOMPARE(record.value(QStringLiteral("authority")).toString(), m_sandbox.environment()); // host:port

        // The access token Python cached, as it is: no request at all.
        m_sandbox.clearRequests();
        const Run cached = azidSharedToken({QStringLiteral("--scope"), Arm});
        QVERIFY2(cached.exitCode == 0, qPrintable(cached.describe()));
        QCOMPARE(cached.json().value(QStringLiteral("token")).toString(), pythonToken);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);

        // Another resource: Python's refresh token, redeemed silently.
        const Run refreshed = azidSharedToken({QStringLiteral("--scope"), Graph});
        QVERIFY2(refreshed.exitCode == 0, qPrintable(refreshed.describe()));
        QVERIFY(refreshed.json().value(QStringLiteral("token")).toString().startsWith(QStringLiteral("eyJ")));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 0);

        // The new token went back where Python finds it.
        const QJsonObject cache = item(m_facts.value(QStringLiteral("default_cache_name")).toString());
        QCOMPARE(countEntries(cache, QStringLiteral("AccessToken"), QStringLiteral("target"), Graph), 1);
        QCOMPARE(countEntries(cache, QStringLiteral("AccessToken"), QStringLiteral("environment"),
                              QStringLiteral("127.0.0.1")),
                 2); // MSAL's environment: the host without its port, for both writers
    }

    void azidSignsInPythonGetsTokensSilently()
    {
        const Run login =
            azidLogin(QStringLiteral("azid-first"), QStringLiteral("bob@contoso.test"), "bob-password-1");
        QVERIFY2(login.exitCode == 0, qPrintable(login.describe()));
        // The access token of the sign-in, as Azid put it into the shared cache.
        QString azidToken;
        for (const QJsonValue &entry : item(m_facts.value(QStringLiteral("default_cache_name")).toString())
                                           .value(QStringLiteral("AccessToken"))
                                           .toObject())
            azidToken = entry.toObject().value(QStringLiteral("secret")).toString();
        QVERIFY(azidToken.startsWith(QStringLiteral("eyJ")));

        m_sandbox.clearRequests();
        const Run cached =
            pythonSharedToken({QStringLiteral("--username"), QStringLiteral("bob@contoso.test"),
                               QStringLiteral("--scope"), Arm});
        QVERIFY2(cached.exitCode == 0 && !cached.json().contains(QStringLiteral("error")),
                 qPrintable(cached.describe()));
        QCOMPARE(cached.json().value(QStringLiteral("token")).toString(), azidToken);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);

        const Run refreshed = pythonSharedToken({QStringLiteral("--scope"), Graph}); // the only account
        QVERIFY2(refreshed.json().value(QStringLiteral("token")).toString().startsWith(QStringLiteral("eyJ")),
                 qPrintable(refreshed.describe()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
    }

    // azure.identity 1.14 and later: "msal.cache.nocae". Python builds that persistence exactly as those
    // versions do (its own _get_persistence with the suffixed name), both ways.
    void currentNamingBothWays()
    {
        const Run signin = pythonSignIn(QStringLiteral("alice@contoso.test"), "alice-password-1",
                                        {QStringLiteral("--cache-name"), QStringLiteral("msal.cache.nocae")});
        QVERIFY2(signin.exitCode == 0, qPrintable(signin.describe()));
        QVERIFY(item(QStringLiteral("msal.cache")).isEmpty()); // only the suffixed item was written
        const Run azid = azidSharedToken({QStringLiteral("--scope"), Arm});
        QVERIFY2(azid.exitCode == 0, qPrintable(azid.describe()));
        QCOMPARE(azid.json().value(QStringLiteral("token")).toString(),
                 signin.json().value(QStringLiteral("token")).toString());

        clearSharedCache();
        const Run login =
            azidLogin(QStringLiteral("current"), QStringLiteral("bob@contoso.test"), "bob-password-1");
        QVERIFY2(login.exitCode == 0, qPrintable(login.describe()));
        const Run python =
            pythonSharedToken({QStringLiteral("--cache-name"), QStringLiteral("msal.cache.nocae"),
                               QStringLiteral("--scope"), Graph});
        QVERIFY2(python.json().value(QStringLiteral("token")).toString().startsWith(QStringLiteral("eyJ")),
                 qPrintable(python.describe()));
    }

    void accountChoiceAsAzureIdentity()
    {
        QCOMPARE(pythonSignIn(QStringLiteral("alice@contoso.test"), "alice-password-1").exitCode, 0);
        QCOMPARE(azidLogin(QStringLiteral("choice"), QStringLiteral("bob@contoso.test"), "bob-password-1")
                     .exitCode,
                 0);
        // Two accounts: both sides refuse to guess, in the same words.
        const Run azid = azidSharedToken({QStringLiteral("--scope"), Arm});
        QCOMPARE(azid.exitCode, 3);
        const QJsonObject error = QJsonDocument::fromJson(azid.err.trimmed().split('\n').last()).object();
        QCOMPARE(error.value(QStringLiteral("error")).toString(),
                 QStringLiteral("CredentialUnavailableError"));
        QVERIFY2(error.value(QStringLiteral("message"))
                     .toString()
                     .contains(QStringLiteral("Multiple accounts were found")),
                 qPrintable(azid.describe()));
        const Run python = pythonSharedToken({QStringLiteral("--scope"), Arm});
        QCOMPARE(python.json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("CredentialUnavailableError"));
        QVERIFY(python.json()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("Multiple accounts")));

        // By user name, and by tenant with nobody there.
        QCOMPARE(azidSharedToken({QStringLiteral("--account"), QStringLiteral("alice@contoso.test"),
                                  QStringLiteral("--scope"), Arm})
                     .exitCode,
                 0);
        const Run nobody = azidSharedToken({QStringLiteral("--tenant"),
                                            QStringLiteral("f8cdef31-a31e-4b4a-93e4-5f571e91255a"),
                                            QStringLiteral("--scope"), Arm});
        QCOMPARE(nobody.exitCode, 3);
        QVERIFY(nobody.err.contains("No account matching the specified tenant: f8cdef31"));
    }

    // Fields and sections Azid does not know survive its writes.
    void unknownFieldsSurvive()
    {
        QCOMPARE(pythonSignIn(QStringLiteral("alice@contoso.test"), "alice-password-1").exitCode, 0);
        const QString name = m_facts.value(QStringLiteral("default_cache_name")).toString();
        QCOMPARE(python({QStringLiteral("annotate"), name}).exitCode, 0);
        const Run refreshed = azidSharedToken({QStringLiteral("--scope"), Graph});
        QVERIFY2(refreshed.exitCode == 0, qPrintable(refreshed.describe()));
        const QJsonObject cache = item(name);
        QCOMPARE(cache.value(QStringLiteral("ThirdPartySection"))
                     .toObject()
                     .value(QStringLiteral("kept"))
                     .toObject()
                     .value(QStringLiteral("value"))
                     .toString(),
                 QStringLiteral("by every writer"));
        // The account entry and the access token for Azure Resource Manager were not rewritten.
        QCOMPARE(countEntries(cache, QStringLiteral("Account"), QStringLiteral("third_party_field"),
                              QStringLiteral("kept too")),
                 1);
        QCOMPARE(countEntries(cache, QStringLiteral("AccessToken"), QStringLiteral("third_party_field"),
                              QStringLiteral("kept too")),
                 1);
        QCOMPARE(countEntries(cache, QStringLiteral("AccessToken"), QStringLiteral("target"), Graph), 1);
    }

    // msal-extensions' lock: while Python holds it (with portalocker, as azure.identity does), Azid
    // does not write; it says who holds it, and writes once it is released.
    void pythonsLockIsRespected()
    {
        QProcess holder;
        holder.setProcessEnvironment(m_env);
        holder.start(QStringLiteral(AZID_TEST_PYTHON),
                     {QStringLiteral(AZID_PEER_SCRIPT), QStringLiteral("hold-lock"),
                      QStringLiteral("msal.cache.nocae")});
        QVERIFY(holder.waitForReadyRead(60000));
        QVERIFY(holder.readLine().contains("locked"));
        const Run blocked = azidLogin(QStringLiteral("lock"), QStringLiteral("bob@contoso.test"),
                                      "bob-password-1", {QStringLiteral("--output"), QStringLiteral("json")});
        holder.closeWriteChannel();
        QVERIFY(holder.waitForFinished(60000));
        QCOMPARE(blocked.exitCode, 3);
        const QJsonObject error = QJsonDocument::fromJson(blocked.err.trimmed().split('\n').last()).object();
        QCOMPARE(error.value(QStringLiteral("reason")).toString(), QStringLiteral("cache_locked"));
        QVERIFY2(error.value(QStringLiteral("message")).toString().contains(QStringLiteral(AZID_PEER_SCRIPT)),
                 qPrintable(blocked.describe())); // "held by <pid> <argv0>", as msal-extensions writes it
        const Run again =
            azidLogin(QStringLiteral("lock"), QStringLiteral("bob@contoso.test"), "bob-password-1");
        QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
    }

    // No Secret Service at all (an SSH session): azure.identity falls back to a plaintext file when
    // allowed, and so does Azid, in the same place, readable both ways; without the opt-in Azid refuses.
    void plaintextFallbackBothWays()
    {
        QProcessEnvironment noBus = m_env;
        noBus.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                     QStringLiteral("unix:path=/nonexistent/azid-test-bus"));
        const QStringList plain{QStringLiteral("--allow-unencrypted-storage")};

        const Run refused =
            azidLogin(QStringLiteral("ssh"), QStringLiteral("bob@contoso.test"), "bob-password-1",
                      {QStringLiteral("--output"), QStringLiteral("json")}, &noBus);
        QCOMPARE(refused.exitCode, 3);
        QVERIFY2(refused.err.contains("\"reason\":\"encryption_unavailable\"") ||
                     refused.err.contains("\"reason\":\"keychain_unavailable\""),
                 qPrintable(refused.describe()));
        QVERIFY(!QFile::exists(identityService(QStringLiteral("msal.cache.nocae"))));

        const Run login = azidLogin(QStringLiteral("ssh"), QStringLiteral("bob@contoso.test"),
                                    "bob-password-1", plain, &noBus);
        QVERIFY2(login.exitCode == 0, qPrintable(login.describe()));
        QVERIFY(login.err.contains("warning") && login.err.contains("UNENCRYPTED"));
        for (const QString &name : {QStringLiteral("msal.cache"), QStringLiteral("msal.cache.nocae")}) {
            struct stat info = {};
            QCOMPARE(::stat(QFile::encodeName(identityService(name)).constData(), &info), 0);
            QCOMPARE(info.st_mode & 0777, mode_t(0600));
        }
        const Run python = pythonSharedToken({QStringLiteral("--scope"), Graph}, &noBus);
        QVERIFY2(python.json().value(QStringLiteral("token")).toString().startsWith(QStringLiteral("eyJ")),
                 qPrintable(python.describe()));

        QDir(identityService()).removeRecursively();
        const Run signin = pythonSignIn(QStringLiteral("alice@contoso.test"), "alice-password-1",
                                        {QStringLiteral("--allow-unencrypted")}, &noBus);
        QVERIFY2(signin.exitCode == 0, qPrintable(signin.describe()));
        const Run azid = azidSharedToken({QStringLiteral("--scope"), Graph}, &noBus);
        QVERIFY2(azid.exitCode == 0, qPrintable(azid.describe()));
    }
};

QTEST_GUILESS_MAIN(TestInterop)
#include "tst_interop.moc"
