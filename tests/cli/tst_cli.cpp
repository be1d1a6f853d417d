// azid-cli as a script meets it: each command a separate process, the real Secret Service (this
// test runs under run-with-keyring.sh), azid-sandbox over TLS, and the contract's outputs and exit
// codes.
#include "sandbox.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonDocument json() const { return QJsonDocument::fromJson(out); }
    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(300)), QString::fromUtf8(err.left(600)));
    }
};
} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    azid::test::Sandbox m_sandbox;

    Run run(const QStringList &arguments, const QByteArray &input = {},
            const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
            const QString &program = QStringLiteral(AZID_CLI_PATH))
    {
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(program, arguments);
        if (!process.waitForStarted(10000))
            return {};
        process.write(input);
        process.closeWriteChannel();
        process.waitForFinished(120000);
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }

    // The global options that point azid-cli at the sandbox, with a profile of the test's own.
    QStringList at(const QString &profile) const
    {
        return {QStringLiteral("--profile"),
                profile,
                QStringLiteral("--authority"),
                m_sandbox.authority(),
                QStringLiteral("--ca-bundle"),
                m_sandbox.caFile(),
                QStringLiteral("--disable-instance-discovery")};
    }

    // `login --flow password` for `user`, the password to be given on stdin.
    static QStringList passwordLoginCommand(const QString &user = QStringLiteral("alice@contoso.test"))
    {
        return {QStringLiteral("login"),
                QStringLiteral("--flow"),
                QStringLiteral("password"),
                QStringLiteral("--username"),
                user,
                QStringLiteral("--password-stdin"),
                QStringLiteral("--scope"),
                Arm};
    }

    Run passwordLogin(const QString &profile, const QString &user = QStringLiteral("alice@contoso.test"),
                      const QByteArray &password = "alice-password-1\n")
    {
        return run(at(profile) + passwordLoginCommand(user), password);
    }

    // A session with no D-Bus, so no keychain; with `dataHome`, its data goes there.
    static QProcessEnvironment withoutKeychain(const QString &dataHome = {})
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                           QStringLiteral("unix:path=/nonexistent/azid-test-bus"));
        if (!dataHome.isEmpty())
            environment.insert(QStringLiteral("XDG_DATA_HOME"), dataHome);
        return environment;
    }

    Run token(const QString &profile, const QStringList &extra = {})
    {
        return run(QStringList{QStringLiteral("--profile"), profile, QStringLiteral("token"),
                               QStringLiteral("--scope"), Arm} +
                   extra);
    }

    QString cacheFile(const QString &profile) const
    {
        return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
               QStringLiteral("/azid/%1/azid.cache.nocae.bin").arg(profile);
    }

    // Flips a byte in the middle of the profile's cache file, as damage would; returns what it now holds.
    QByteArray damageCacheFile(const QString &profile) const
    {
        QFile file(cacheFile(profile));
        if (!file.open(QIODevice::ReadWrite))
            return {};
        QByteArray bytes = file.readAll();
        bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
        file.seek(0);
        file.write(bytes);
        return bytes;
    }

    // Items of a keychain service, as libsecret lists them (QtKeychain names the service "server").
    QString keychainItems(const QString &service)
    {
        QProcess secretTool;
        secretTool.start(QStringLiteral("secret-tool"), {QStringLiteral("search"), QStringLiteral("--all"),
                                                         QStringLiteral("server"), service});
        secretTool.waitForFinished(30000);
        return QString::fromUtf8(secretTool.readAllStandardOutput() + secretTool.readAllStandardError());
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("AZID_TEST_KEYRING"),
                 "run this test through tests/support/run-with-keyring.sh (ctest does)");
        QVERIFY2(m_sandbox.start({QStringLiteral("--auto-approve"), QStringLiteral("--device-interval"),
                                  QStringLiteral("1")}),
                 qPrintable(m_sandbox.errorString()));
    }

    void init()
    {
        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 3600}});
        m_sandbox.clearRequests();
    }

    void loginInOneProcessTokenInAnother()
    {
        const Run login = passwordLogin(QStringLiteral("persist"));
        QCOMPARE(login.exitCode, 0);
        const QJsonObject record = login.json().object();
        QCOMPARE(record.value(QStringLiteral("username")).toString(), QStringLiteral("alice@contoso.test"));
        QCOMPARE(record.value(QStringLiteral("version")).toString(), QStringLiteral("1.0"));
        QVERIFY(login.err.isEmpty() || !login.err.contains("alice-password-1"));

        const Run first = token(QStringLiteral("persist"));
        QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
        const QJsonObject t = first.json().object();
        QVERIFY(t.value(QStringLiteral("token")).toString().startsWith(QStringLiteral("eyJ")));
        QVERIFY(t.value(QStringLiteral("expires_on")).toInteger() >
                QDateTime::currentSecsSinceEpoch() + 3000);
        QVERIFY(t.contains(QStringLiteral("refresh_on")));
        QCOMPARE(t.value(QStringLiteral("token_type")).toString(), QStringLiteral("Bearer"));
        QVERIFY(first.out.startsWith("{\"token\": "));

        // A third process: served from the encrypted cache, nothing reaches the authority.
        m_sandbox.clearRequests();
        const Run cached = token(QStringLiteral("persist"));
        QCOMPARE(cached.exitCode, 0);
        QCOMPARE(cached.json().object().value(QStringLiteral("token")), t.value(QStringLiteral("token")));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);

        // Nothing secret in the cache file: it is encrypted.
        QFile file(cacheFile(QStringLiteral("persist")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.startsWith("AZIDC1"));
        QVERIFY(!bytes.contains(t.value(QStringLiteral("token")).toString().left(40).toUtf8()));
        QCOMPARE(file.permissions() &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
    }

    void tokenIsRefreshedSilentlyWhenItNearsExpiry()
    {
        // Tokens that live 200 s are inside the 5-minute refresh margin from the start: every `token`
        // must refresh them silently. Then tokens that live an hour are served from the cache.
        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 200}});
        QCOMPARE(passwordLogin(QStringLiteral("expiry")).exitCode, 0);
        m_sandbox.clearRequests();
        const Run nearExpiry = token(QStringLiteral("expiry"));
        QVERIFY2(nearExpiry.exitCode == 0, qPrintable(nearExpiry.describe()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 0);

        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 3600}});
        m_sandbox.clearRequests();
        const Run refreshed = token(QStringLiteral("expiry"));
        QVERIFY2(refreshed.exitCode == 0, qPrintable(refreshed.describe()));
        const QJsonValue refreshedToken = refreshed.json().object().value(QStringLiteral("token"));
        QVERIFY(refreshedToken != nearExpiry.json().object().value(QStringLiteral("token")));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);

        m_sandbox.clearRequests();
        const Run cached = token(QStringLiteral("expiry"));
        QVERIFY2(cached.exitCode == 0, qPrintable(cached.describe()));
        QCOMPARE(cached.json().object().value(QStringLiteral("token")), refreshedToken);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);
    }

    // "Share with Azure tools" (login --shared-cache, the tray app's switch): kept by a later sign-in,
    // shown by accounts list, and a refresh made by `token` reaches azure.identity's shared cache.
    void sharingWithAzureToolsIsKeptAndRefreshed()
    {
        const QString profile = QStringLiteral("share");
        const QStringList sharedLogin{QStringLiteral("--shared-cache")};
        QVERIFY2(run(at(profile) + passwordLoginCommand() + sharedLogin, "alice-password-1\n").exitCode == 0,
                 "login --shared-cache failed");
        const auto shared = [&] {
            const Run listed =
                run({QStringLiteral("--profile"), profile, QStringLiteral("--output"), QStringLiteral("json"),
                     QStringLiteral("accounts"), QStringLiteral("list")});
            return listed.json().array().first().toObject().value(QStringLiteral("shareWithAzureTools"));
        };
        QCOMPARE(shared(), QJsonValue(true));

        // Signed in again without the option, with tokens inside the refresh margin: still shared.
        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 200}});
        QCOMPARE(passwordLogin(profile).exitCode, 0);
        QCOMPARE(shared(), QJsonValue(true));

        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 3600}});
        const Run refreshed = token(profile);
        QVERIFY2(refreshed.exitCode == 0, qPrintable(refreshed.describe()));
        m_sandbox.clearRequests();
        const Run fromShared = run(
            at(profile) + QStringList{QStringLiteral("token"), QStringLiteral("--credential"),
                                      QStringLiteral("shared-token-cache"), QStringLiteral("--scope"), Arm});
        QVERIFY2(fromShared.exitCode == 0, qPrintable(fromShared.describe()));
        QCOMPARE(fromShared.json().object().value(QStringLiteral("token")),
                 refreshed.json().object().value(QStringLiteral("token")));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);
    }

    void deviceCodeLoginWritesInstructionsToStderr()
    {
        QProcess process;
        process.start(QStringLiteral(AZID_CLI_PATH),
                      at(QStringLiteral("device")) +
                          QStringList{QStringLiteral("login"), QStringLiteral("--flow"),
                                      QStringLiteral("device-code"), QStringLiteral("--scope"), Arm});
        QVERIFY(process.waitForStarted());
        QByteArray err;
        QRegularExpressionMatch match;
        const QRegularExpression code(QStringLiteral("enter the code ([A-Z0-9]+)"));
        for (int i = 0; i < 100 && !match.hasMatch(); ++i) {
            process.waitForReadyRead(1000);
            err += process.readAllStandardError();
            match = code.match(QString::fromUtf8(err));
        }
        QVERIFY2(match.hasMatch(), err.constData());
        m_sandbox.control(
            "POST", QStringLiteral("device/approve"),
            QJsonDocument(QJsonObject{{QStringLiteral("user_code"), match.captured(1)},
                                      {QStringLiteral("username"), QStringLiteral("bob@contoso.test")}}));
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        const QJsonObject record = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
        QCOMPARE(record.value(QStringLiteral("username")).toString(), QStringLiteral("bob@contoso.test"));
        QCOMPARE(token(QStringLiteral("device")).exitCode, 0);
    }

    void browserLoginThroughBrowserVariable()
    {
        // $BROWSER names a stand-in that follows the authorize redirect and calls the loopback.
        QTemporaryDir dir;
        const QString browser = dir.filePath(QStringLiteral("browser.sh"));
        QFile script(browser);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(
            "#!/bin/sh\n"
            "location=$(curl -s -o /dev/null -w '%{redirect_url}' --cacert \"$AZID_TEST_CA\" \"$1\")\n"
            "curl -s \"$location\" > \"$AZID_TEST_PAGE\"\n");
        script.close();
        script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BROWSER"), browser);
        env.insert(QStringLiteral("AZID_TEST_CA"), m_sandbox.caFile());
        env.insert(QStringLiteral("AZID_TEST_PAGE"), dir.filePath(QStringLiteral("page.html")));
        const Run login = run(at(QStringLiteral("browser")) +
                                  QStringList{QStringLiteral("login"), QStringLiteral("--flow"),
                                              QStringLiteral("browser"), QStringLiteral("--scope"), Arm},
                              {}, env);
        QVERIFY2(login.exitCode == 0, qPrintable(login.describe()));
        QVERIFY(login.err.contains("oauth2/v2.0/authorize")); // the address is shown in case no browser opens
        QFile page(dir.filePath(QStringLiteral("page.html")));
        QVERIFY(page.open(QIODevice::ReadOnly));
        QVERIFY(page.readAll().contains("Authentication complete"));
        QCOMPARE(token(QStringLiteral("browser")).exitCode, 0);
    }

    void outputFormats()
    {
        QCOMPARE(passwordLogin(QStringLiteral("formats")).exitCode, 0);
        const Run raw =
            run({QStringLiteral("--profile"), QStringLiteral("formats"), QStringLiteral("--output"),
                 QStringLiteral("raw"), QStringLiteral("token"), QStringLiteral("--scope"), Arm});
        QCOMPARE(raw.exitCode, 0);
        QVERIFY(raw.out.startsWith("eyJ"));
        QCOMPARE(raw.out.count('\n'), 1);
        QVERIFY(!raw.out.contains('{'));
        const Run table =
            run({QStringLiteral("--profile"), QStringLiteral("formats"), QStringLiteral("--output"),
                 QStringLiteral("table"), QStringLiteral("accounts"), QStringLiteral("list")});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.startsWith("USER"));
        QVERIFY(table.out.contains("alice@contoso.test"));
        const Run list = run({QStringLiteral("--profile"), QStringLiteral("formats"),
                              QStringLiteral("accounts"), QStringLiteral("list")});
        QCOMPARE(list.json().array().size(), 1);
        QCOMPARE(list.json().array().first().toObject().value(QStringLiteral("isDefault")).toBool(), true);
    }

    void exitCodesOfTheContract_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("kind");
        QTest::newRow("usage: no command") << QStringList{} << 2 << "";
        QTest::newRow("usage: unknown option")
            << QStringList{QStringLiteral("token"), QStringLiteral("--frobnicate")} << 2 << "";
        QTest::newRow("usage: password on the command line")
            << QStringList{QStringLiteral("login"),    QStringLiteral("--flow"),
                           QStringLiteral("password"), QStringLiteral("--username"),
                           QStringLiteral("a@b"),      QStringLiteral("--password"),
                           QStringLiteral("x")}
            << 2 << "";
        QTest::newRow("usage: token without scope") << QStringList{QStringLiteral("token")} << 2 << "";
        QTest::newRow("unavailable: nobody signed in") << QStringList{QStringLiteral("--profile"),
                                                                      QStringLiteral("empty"),
                                                                      QStringLiteral("--output"),
                                                                      QStringLiteral("json"),
                                                                      QStringLiteral("token"),
                                                                      QStringLiteral("--scope"),
                                                                      Arm}
                                                       << 3 << "CredentialUnavailableError";
    }

    void exitCodesOfTheContract()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, kind);
        const Run r = run(arguments);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.trimmed().count('\n'), 0); // one line
        if (!kind.isEmpty())
            QCOMPARE(QJsonDocument::fromJson(r.err).object().value(QStringLiteral("error")).toString(), kind);
    }

    void wrongPasswordIsExit4AndNothingIsStored()
    {
        const Run login =
            passwordLogin(QStringLiteral("wrong"), QStringLiteral("alice@contoso.test"), "not-it\n");
        QCOMPARE(login.exitCode, 4);
        QVERIFY(login.out.isEmpty());
        QVERIFY2(login.err.startsWith("azid-cli: ClientAuthenticationError: "), qPrintable(login.describe()));
        QVERIFY(login.err.contains("AADSTS50126"));
        QVERIFY(login.err.contains("correlation id"));
        QVERIFY(!login.err.contains("not-it"));
        QCOMPARE(token(QStringLiteral("wrong")).exitCode, 3);
    }

    void revokedSignInIsExit5WithWhatToRun()
    {
        QCOMPARE(
            passwordLogin(QStringLiteral("revoked"), QStringLiteral("bob@contoso.test"), "bob-password-1\n")
                .exitCode,
            0);
        m_sandbox.control(
            "POST", QStringLiteral("revoke"),
            QJsonDocument(QJsonObject{{QStringLiteral("username"), QStringLiteral("bob@contoso.test")}}));
        const Run r =
            token(QStringLiteral("revoked"),
                  {QStringLiteral("--scope"), QStringLiteral("https://graph.microsoft.com/.default"),
                   QStringLiteral("--output"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 5);
        const QJsonObject error = QJsonDocument::fromJson(r.err).object();
        QCOMPARE(error.value(QStringLiteral("error")).toString(),
                 QStringLiteral("AuthenticationRequiredError"));
        QVERIFY(error.value(QStringLiteral("message")).toString().contains(QStringLiteral("azid-cli login")));
        QVERIFY(error.value(QStringLiteral("error_codes")).toArray().contains(50173));
    }

    void keychainMissingOrLockedIsExit3WithAdvice()
    {
        QProcessEnvironment noBus = withoutKeychain();
        const Run missing = run({QStringLiteral("--profile"), QStringLiteral("nobus"),
                                 QStringLiteral("token"), QStringLiteral("--scope"), Arm},
                                {}, noBus);
        QCOMPARE(missing.exitCode, 3);
        QVERIFY2(missing.err.contains("keychain") || missing.err.contains("Secret Service"),
                 missing.err.constData());

        // A locked login keyring (another bus, another gnome-keyring, unlocked with the wrong password).
        const Run locked =
            run(QStringList{QStringLiteral("--locked"), QStringLiteral(AZID_CLI_PATH)} +
                    at(QStringLiteral("locked")) +
                    QStringList{QStringLiteral("login"), QStringLiteral("--flow"), QStringLiteral("password"),
                                QStringLiteral("--username"), QStringLiteral("alice@contoso.test"),
                                QStringLiteral("--password-stdin"), QStringLiteral("--scope"), Arm},
                "alice-password-1\n", QProcessEnvironment::systemEnvironment(),
                QStringLiteral(AZID_RUN_WITH_KEYRING));
        QCOMPARE(locked.exitCode, 3);
        QVERIFY2(locked.err.contains("unlock") || locked.err.contains("locked"), locked.err.constData());
    }

    void corruptCacheIsReportedAndKeptAside()
    {
        QCOMPARE(passwordLogin(QStringLiteral("corrupt")).exitCode, 0);
        const QFile file(cacheFile(QStringLiteral("corrupt")));
        const QByteArray bytes = damageCacheFile(QStringLiteral("corrupt"));
        QVERIFY(!bytes.isEmpty());

        const Run r = token(QStringLiteral("corrupt"));
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("cannot be decrypted") || r.err.contains("damaged"), r.err.constData());
        const QStringList kept =
            QDir(QFileInfo(file).absolutePath())
                .entryList({QStringLiteral("azid.cache.nocae.bin.corrupt-*")}, QDir::Files);
        QCOMPARE(kept.size(), 1);
        QFile keptFile(QFileInfo(file).absolutePath() + QLatin1Char('/') + kept.first());
        QVERIFY(keptFile.open(QIODevice::ReadOnly));
        QCOMPARE(keptFile.readAll(), bytes);
    }

    void removeDeletesRecordCacheEntriesAndKeychainItems()
    {
        const Run login = passwordLogin(QStringLiteral("remove"));
        QCOMPARE(login.exitCode, 0);
        const QString home = login.json().object().value(QStringLiteral("homeAccountId")).toString();
        QVERIFY(keychainItems(QStringLiteral("azid-remove")).contains(QStringLiteral("account:") + home));

        const Run removed =
            run({QStringLiteral("--profile"), QStringLiteral("remove"), QStringLiteral("accounts"),
                 QStringLiteral("remove"), QStringLiteral("alice@contoso.test")});
        QCOMPARE(removed.exitCode, 0);
        QVERIFY(!keychainItems(QStringLiteral("azid-remove")).contains(QStringLiteral("account:") + home));
        const Run list = run({QStringLiteral("--profile"), QStringLiteral("remove"),
                              QStringLiteral("accounts"), QStringLiteral("list")});
        QCOMPARE(list.json().array().size(), 0);
        // The tokens went with it: importing the record back gives "interaction required", not a token.
        QTemporaryDir dir;
        QFile record(dir.filePath(QStringLiteral("record.json")));
        QVERIFY(record.open(QIODevice::WriteOnly));
        record.write(login.out);
        record.close();
        QCOMPARE(run({QStringLiteral("--profile"), QStringLiteral("remove"), QStringLiteral("accounts"),
                      QStringLiteral("import"), QStringLiteral("--file"), record.fileName()})
                     .exitCode,
                 0);
        QCOMPARE(token(QStringLiteral("remove")).exitCode, 5);
    }

    void profilesAreIsolated()
    {
        QCOMPARE(passwordLogin(QStringLiteral("isolated-a")).exitCode, 0);
        QCOMPARE(token(QStringLiteral("isolated-a")).exitCode, 0);
        QCOMPARE(token(QStringLiteral("isolated-b")).exitCode, 3);
    }

    void helpListsTheStorageOptions()
    {
        const Run help = run({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char *option : {"--memory-only", "--allow-unencrypted-storage", "--wait-for-keychain SEC",
                                   "--shared-cache", "--credential shared-token-cache", "AZID_MEMORY_ONLY"})
            QVERIFY2(help.out.contains(option), option);
    }

    // Memory-only: nothing is read from or written to the keychain (here: there is none) or the disk,
    // and stderr says so.
    void memoryOnlyStoresNothing()
    {
        QTemporaryDir data;
        QProcessEnvironment env = withoutKeychain(data.path());
        const QStringList login = passwordLoginCommand();
        const Run signedIn =
            run(at(QStringLiteral("memory")) + QStringList{QStringLiteral("--memory-only")} + login,
                "alice-password-1\n", env);
        QVERIFY2(signedIn.exitCode == 0, qPrintable(signedIn.describe()));
        QCOMPARE(signedIn.json().object().value(QStringLiteral("username")).toString(),
                 QStringLiteral("alice@contoso.test"));
        QVERIFY(signedIn.err.contains(
            "memory-only mode: nothing is read from or written to the keychain or disk"));
        QVERIFY(QDir(data.path()).isEmpty());

        env.insert(QStringLiteral("AZID_MEMORY_ONLY"), QStringLiteral("1"));
        const Run later =
            run({QStringLiteral("--profile"), QStringLiteral("memory"), QStringLiteral("--output"),
                 QStringLiteral("json"), QStringLiteral("token"), QStringLiteral("--scope"), Arm},
                {}, env);
        QCOMPARE(later.exitCode, 3);
        const QJsonObject error = QJsonDocument::fromJson(later.err.trimmed().split('\n').last()).object();
        QCOMPARE(error.value(QStringLiteral("reason")).toString(), QStringLiteral("not_persisted"));
        QVERIFY(QDir(data.path()).isEmpty());

        QCOMPARE(run(at(QStringLiteral("memory")) + QStringList{QStringLiteral("--memory-only")} + login +
                         QStringList{QStringLiteral("--shared-cache")},
                     "alice-password-1\n", env)
                     .exitCode,
                 2);
    }

    // allow_unencrypted_storage: plain files of mode 0600 only when no keychain is reachable, said on
    // stderr; without it that is an error; with a keychain, everything stays encrypted.
    void unencryptedOnlyWhenAllowedAndNeeded()
    {
        QTemporaryDir data;
        QProcessEnvironment noBus = withoutKeychain(data.path());
        const QStringList login = passwordLoginCommand();
        const QStringList plain{QStringLiteral("--allow-unencrypted-storage")};

        const Run refused = run(at(QStringLiteral("ssh")) +
                                    QStringList{QStringLiteral("--output"), QStringLiteral("json")} + login,
                                "alice-password-1\n", noBus);
        QCOMPARE(refused.exitCode, 3);
        const QJsonObject error = QJsonDocument::fromJson(refused.err.trimmed().split('\n').last()).object();
        QCOMPARE(error.value(QStringLiteral("reason")).toString(), QStringLiteral("encryption_unavailable"));
        QVERIFY(error.value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("--allow-unencrypted-storage")));
        QVERIFY(!QFile::exists(data.filePath(QStringLiteral("azid/ssh/azid.cache.nocae.json"))));

        const Run allowed = run(at(QStringLiteral("ssh")) + plain + login, "alice-password-1\n", noBus);
        QVERIFY2(allowed.exitCode == 0, qPrintable(allowed.describe()));
        QVERIFY(
            allowed.err.contains("azid-cli: warning: No keychain is reachable, so the token cache is kept "
                                 "UNENCRYPTED"));
        QVERIFY(allowed.err.contains("account records are kept UNENCRYPTED"));
        const QString cacheFile = data.filePath(QStringLiteral("azid/ssh/azid.cache.nocae.json"));
        QVERIFY(QFile::exists(cacheFile));
        QCOMPARE(QFile::permissions(cacheFile) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup |
                                                  QFile::WriteOther | QFile::ExeOwner),
                 QFile::Permissions());

        m_sandbox.clearRequests();
        const Run first = run(plain + QStringList{QStringLiteral("--profile"), QStringLiteral("ssh"),
                                                  QStringLiteral("token"), QStringLiteral("--scope"), Arm},
                              {}, noBus);
        QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
        // Without the opt-in, the plain files are not read either: an error, never silent plain text.
        const Run withoutOptIn = run({QStringLiteral("--profile"), QStringLiteral("ssh"),
                                      QStringLiteral("token"), QStringLiteral("--scope"), Arm},
                                     {}, noBus);
        QCOMPARE(withoutOptIn.exitCode, 3);

        // With a keychain the same flag changes nothing: encrypted file, key in the keychain.
        QProcessEnvironment desktop = QProcessEnvironment::systemEnvironment();
        desktop.insert(QStringLiteral("XDG_DATA_HOME"), data.path());
        const Run encrypted =
            run(at(QStringLiteral("desktop")) + plain + login, "alice-password-1\n", desktop);
        QVERIFY2(encrypted.exitCode == 0, qPrintable(encrypted.describe()));
        QVERIFY(!encrypted.err.contains("warning"));
        QVERIFY(QFile::exists(data.filePath(QStringLiteral("azid/desktop/azid.cache.nocae.bin"))));
        QVERIFY(!QFile::exists(data.filePath(QStringLiteral("azid/desktop/azid.cache.nocae.json"))));
    }

    void otherCredentialsByKind()
    {
        // A confidential app of the sandbox, configured as azure.identity configures it: by environment.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("AZURE_TENANT_ID"), QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        env.insert(QStringLiteral("AZURE_CLIENT_ID"), QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));
        env.insert(QStringLiteral("AZURE_CLIENT_SECRET"), QStringLiteral("sandbox-client-secret-1"));
        const QStringList sandbox{QStringLiteral("--authority"), m_sandbox.authority(),
                                  QStringLiteral("--ca-bundle"), m_sandbox.caFile(),
                                  QStringLiteral("--disable-instance-discovery")};
        for (const QString &kind :
             {QStringLiteral("client-secret"), QStringLiteral("environment"), QStringLiteral("default")}) {
            m_sandbox.clearRequests();
            const Run r = run(sandbox + QStringList{QStringLiteral("token"), QStringLiteral("--scope"), Arm,
                                                    QStringLiteral("--credential"), kind},
                              {}, env);
            QVERIFY2(r.exitCode == 0, qPrintable(kind + QStringLiteral(": ") + r.describe()));
            QVERIFY(r.json()
                        .object()
                        .value(QStringLiteral("token"))
                        .toString()
                        .startsWith(QStringLiteral("eyJ")));
            QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")),
                     1);
            QVERIFY(!r.err.contains("sandbox-client-secret-1"));
        }

        QProcessEnvironment partial = QProcessEnvironment::systemEnvironment();
        partial.insert(QStringLiteral("AZURE_TENANT_ID"),
                       QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        partial.remove(QStringLiteral("AZURE_CLIENT_ID"));
        partial.remove(QStringLiteral("AZURE_CLIENT_SECRET"));
        const Run missing =
            run(sandbox + QStringList{QStringLiteral("token"), QStringLiteral("--scope"), Arm,
                                      QStringLiteral("--credential"), QStringLiteral("client-secret")},
                {}, partial);
        QCOMPARE(missing.exitCode, 3);
        QVERIFY2(missing.err.contains("AZURE_CLIENT_ID") && missing.err.contains("AZURE_CLIENT_SECRET"),
                 missing.err.constData());

        env.insert(QStringLiteral("AZURE_CLIENT_SECRET"), QStringLiteral("a-wrong-secret"));
        const Run refused =
            run(sandbox + QStringList{QStringLiteral("token"), QStringLiteral("--scope"), Arm,
                                      QStringLiteral("--credential"), QStringLiteral("client-secret")},
                {}, env);
        QCOMPARE(refused.exitCode, 4);
        QVERIFY(refused.err.contains("AADSTS7000215"));

        const Run unknown = run({QStringLiteral("token"), QStringLiteral("--scope"), Arm,
                                 QStringLiteral("--credential"), QStringLiteral("no-such-kind")});
        QCOMPARE(unknown.exitCode, 2);

        // A misconfiguration (an empty secret with the other variables set) is said at once: exit 3,
        // naming the variable, and nothing reaches the authority.
        QProcessEnvironment empty = env;
        empty.insert(QStringLiteral("AZURE_CLIENT_SECRET"), QString());
        m_sandbox.clearRequests();
        const Run misconfigured =
            run(sandbox + QStringList{QStringLiteral("token"), QStringLiteral("--scope"), Arm,
                                      QStringLiteral("--credential"), QStringLiteral("environment")},
                {}, empty);
        QVERIFY2(misconfigured.exitCode == 3, qPrintable(misconfigured.describe()));
        QVERIFY2(misconfigured.err.contains("AZURE_CLIENT_SECRET"), misconfigured.err.constData());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);
    }

    // login without --scope: an authority that is not a known cloud gets the sign-in alone (the
    // OpenID scopes), not "requires a value for the 'scopes' keyword argument".
    void loginWithoutScopeOnAnotherAuthority()
    {
        m_sandbox.clearRequests();
        const Run login =
            run(at(QStringLiteral("noscope")) +
                    QStringList{QStringLiteral("login"), QStringLiteral("--flow"), QStringLiteral("password"),
                                QStringLiteral("--username"), QStringLiteral("alice@contoso.test"),
                                QStringLiteral("--password-stdin")},
                "alice-password-1\n");
        QVERIFY2(login.exitCode == 0, qPrintable(login.describe()));
        QCOMPARE(login.json().object().value(QStringLiteral("username")).toString(),
                 QStringLiteral("alice@contoso.test"));
        QVERIFY(!login.err.contains("keyword"));
        const Run token = this->token(QStringLiteral("noscope"));
        QVERIFY2(token.exitCode == 0, qPrintable(token.describe()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 1);
    }

    void exportAndImportRecords()
    {
        QCOMPARE(passwordLogin(QStringLiteral("export")).exitCode, 0);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("alice.json"));
        QCOMPARE(run({QStringLiteral("--profile"), QStringLiteral("export"), QStringLiteral("accounts"),
                      QStringLiteral("export"), QStringLiteral("alice@contoso.test"),
                      QStringLiteral("--file"), file})
                     .exitCode,
                 0);
        QFile exported(file);
        // Only its owner can read it (records name accounts and tenants), also the export of them all.
        QCOMPARE(exported.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const QString all = dir.filePath(QStringLiteral("all.json"));
        QCOMPARE(run({QStringLiteral("--profile"), QStringLiteral("export"), QStringLiteral("accounts"),
                      QStringLiteral("export"), QStringLiteral("--file"), all})
                     .exitCode,
                 0);
        QCOMPARE(QFile(all).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        const QByteArray text = exported.readAll();
        QVERIFY(text.startsWith("{\"authority\": "));
        QVERIFY(text.endsWith("\"version\": \"1.0\"}"));
        QVERIFY(!text.contains("eyJ")); // no token travels with a record
        QCOMPARE(run({QStringLiteral("--profile"), QStringLiteral("import"), QStringLiteral("accounts"),
                      QStringLiteral("import"), QStringLiteral("--file"), file})
                     .exitCode,
                 0);
        const Run show = run({QStringLiteral("--profile"), QStringLiteral("import"),
                              QStringLiteral("--output"), QStringLiteral("raw"), QStringLiteral("accounts"),
                              QStringLiteral("show"), QStringLiteral("alice@contoso.test")});
        QCOMPARE(show.out.trimmed(), text);
        // The same file again: the account is already present, not imported a second time. The
        // sandbox is no Microsoft cloud: instance discovery keeps checking it, and the note says so.
        const Run again =
            run({QStringLiteral("--profile"), QStringLiteral("import"), QStringLiteral("accounts"),
                 QStringLiteral("import"), QStringLiteral("--file"), file});
        QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
        QVERIFY2(again.err.contains("Already present, left as they are: alice@contoso.test."),
                 qPrintable(again.describe()));
        QVERIFY2(!again.err.contains("Imported"), qPrintable(again.describe()));
    }

    void tableOutputStripsControlCharacters()
    {
        // A record file from elsewhere names its user with terminal escape sequences: C0 (ESC, BEL,
        // CR), DEL and C1 (CSI). The table shows them as '?', never as themselves.
        const QString hostile = QStringLiteral("mallory\u001b]0;owned\u0007\u009b31m\u007f\r@contoso.test");
        const QJsonObject record{
            {QStringLiteral("authority"), QStringLiteral("login.microsoftonline.com")},
            {QStringLiteral("clientId"), QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46")},
            {QStringLiteral("homeAccountId"), QStringLiteral("mallory-uid.mallory-utid")},
            {QStringLiteral("tenantId"), QStringLiteral("mallory-utid")},
            {QStringLiteral("username"), hostile},
            {QStringLiteral("version"), QStringLiteral("1.0")}};
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("mallory.json"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(record).toJson());
        out.close();
        const QStringList profile{QStringLiteral("--profile"), QStringLiteral("control")};
        const Run imported = run(profile + QStringList{QStringLiteral("accounts"), QStringLiteral("import"),
                                                       QStringLiteral("--file"), file});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.describe()));

        const QStringList table{QStringLiteral("--output"), QStringLiteral("table"),
                                QStringLiteral("accounts")};
        const Run list = run(profile + table + QStringList{QStringLiteral("list")});
        const Run show = run(profile + table +
                             QStringList{QStringLiteral("show"), QStringLiteral("mallory-uid.mallory-utid")});
        for (const Run &r : {list, show}) {
            QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
            QVERIFY2(r.out.contains("mallory?]0;owned??31m??@contoso.test"), r.out.constData());
            const QString text = QString::fromUtf8(r.out);
            for (const QChar c : text) {
                const char16_t u = c.unicode();
                QVERIFY2(u == u'\n' || (u >= 0x20 && u != 0x7f && (u < 0x80 || u > 0x9f)),
                         qPrintable(QStringLiteral("control character U+%1 in: %2")
                                        .arg(int(u), 4, 16, QLatin1Char('0'))
                                        .arg(text)));
            }
        }
        // JSON output keeps the name as it is, escaped by JSON itself.
        const Run json = run(profile + QStringList{QStringLiteral("--output"), QStringLiteral("json"),
                                                   QStringLiteral("accounts"), QStringLiteral("show"),
                                                   QStringLiteral("mallory-uid.mallory-utid")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        QCOMPARE(json.json().object().value(QStringLiteral("username")).toString(), hostile);
    }
    // Server faults through azid-cli: an exit code and a message that name the fault, and the account,
    // its cache file and its cached token exactly as they were.
    void serverFaultsLeaveTheAccountAsItWas_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<int>("requests");
        QTest::addColumn<QString>("says");
        const auto onToken = [](QJsonObject f) {
            f.insert(QStringLiteral("endpoint"), QStringLiteral("token"));
            return f;
        };
        QTest::newRow("HTTP 500") << onToken({{u"status"_s, 500}, {u"count"_s, 4}}) << 4
                                  << QStringLiteral("Fault injected by azid-sandbox: HTTP 500");
        QTest::newRow("HTTP 503") << onToken({{u"status"_s, 503}, {u"count"_s, 4}}) << 4
                                  << QStringLiteral("Fault injected by azid-sandbox: HTTP 503");
        QTest::newRow("429 with Retry-After")
            << onToken({{u"status"_s, 429}, {u"retry_after"_s, 1}, {u"count"_s, 4}}) << 4
            << QStringLiteral("Fault injected by azid-sandbox: HTTP 429");
        QTest::newRow("reset mid-answer") << onToken({{u"reset"_s, true}, {u"count"_s, 4}}) << 4
                                          << QStringLiteral("before the whole answer arrived");
        QTest::newRow("truncated JSON")
            << onToken({{u"malformed"_s, true}}) << 1 << QStringLiteral("not valid JSON");
        QTest::newRow("oversized answer")
            << onToken({{u"oversize_kib"_s, 5 * 1024}}) << 1 << QStringLiteral("is larger than 4096 KiB");
        QTest::newRow("no access_token")
            << onToken({{u"fields"_s, QJsonObject{{u"access_token"_s, QJsonValue()}}}}) << 1
            << QStringLiteral("holds no access token");
    }

    void serverFaultsLeaveTheAccountAsItWas()
    {
        QFETCH(QJsonObject, fault);
        QFETCH(int, requests);
        QFETCH(QString, says);
        const QString profile =
            QStringLiteral("fault-") +
            QString::fromLatin1(QTest::currentDataTag())
                .toLower()
                .replace(QRegularExpression(QStringLiteral("[^a-z0-9]")), QStringLiteral("-"));
        QCOMPARE(passwordLogin(profile).exitCode, 0);
        const Run cached = token(profile);
        QCOMPARE(cached.exitCode, 0);
        QFile file(cacheFile(profile));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray cacheBefore = file.readAll();
        file.close();
        const Run listBefore =
            run({QStringLiteral("--profile"), profile, QStringLiteral("accounts"), QStringLiteral("list")});

        m_sandbox.clearRequests();
        QVERIFY(!m_sandbox.fault(fault).isNull());
        const Run failed =
            run({QStringLiteral("--profile"), profile, QStringLiteral("token"), QStringLiteral("--scope"),
                 QStringLiteral("https://graph.microsoft.com/.default")});
        QVERIFY2(failed.exitCode == 4 || failed.exitCode == 3, qPrintable(failed.describe()));
        QVERIFY2(failed.err.contains(says.toUtf8()), qPrintable(failed.describe()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), requests);

        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), cacheBefore);
        const Run listAfter =
            run({QStringLiteral("--profile"), profile, QStringLiteral("accounts"), QStringLiteral("list")});
        QCOMPARE(listAfter.out, listBefore.out);
        const Run again = token(profile);
        QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
        QCOMPARE(again.json().object().value(QStringLiteral("token")),
                 cached.json().object().value(QStringLiteral("token")));
    }

    void certificateForAnotherHostIsRefused()
    {
        azid::test::Sandbox wrongHost;
        QVERIFY2(wrongHost.start({QStringLiteral("--tls-name"), QStringLiteral("wrong-host.example")}),
                 qPrintable(wrongHost.errorString()));
        const QStringList options{QStringLiteral("--profile"),
                                  QStringLiteral("wronghost"),
                                  QStringLiteral("--authority"),
                                  wrongHost.authority(),
                                  QStringLiteral("--ca-bundle"),
                                  wrongHost.caFile(),
                                  QStringLiteral("--disable-instance-discovery")};
        const Run login = run(options + passwordLoginCommand(), "alice-password-1\n");
        QVERIFY2(login.exitCode != 0, qPrintable(login.describe()));
        QVERIFY2(login.err.contains("certificate is for another host than 127.0.0.1"),
                 qPrintable(login.describe()));
        const Run list =
            run({QStringLiteral("--profile"), QStringLiteral("wronghost"), QStringLiteral("--output"),
                 QStringLiteral("json"), QStringLiteral("accounts"), QStringLiteral("list")});
        QVERIFY2(!list.out.contains("alice@contoso.test"), qPrintable(list.describe()));
    }

    void oversizedRecordFileIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("huge.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(16 * 1024 * 1024 + 1)); // sparse
        file.close();
        const Run imported =
            run({QStringLiteral("--profile"), QStringLiteral("hugeimport"), QStringLiteral("accounts"),
                 QStringLiteral("import"), QStringLiteral("--file"), path});
        QVERIFY2(imported.exitCode != 0, qPrintable(imported.describe()));
        QVERIFY2(imported.err.contains("is larger than 16384 KiB"), qPrintable(imported.describe()));
        QVERIFY2(imported.err.contains(path.toUtf8()), qPrintable(imported.describe()));
    }
    void removingTheLastAccountRemovesCorruptCopies()
    {
        // Two accounts; the cache file is damaged and set aside as .corrupt-<time> by the next token.
        const QString profile = QStringLiteral("corruptremove");
        QCOMPARE(passwordLogin(profile).exitCode, 0);
        QCOMPARE(passwordLogin(profile, QStringLiteral("bob@contoso.test"), "bob-password-1\n").exitCode, 0);
        const QFile file(cacheFile(profile));
        QVERIFY(!damageCacheFile(profile).isEmpty());
        QCOMPARE(token(profile).exitCode, 3);
        const QDir folder(QFileInfo(file).absolutePath());
        const QStringList pattern{QStringLiteral("azid.cache.nocae.bin.corrupt-*")};
        QCOMPARE(folder.entryList(pattern, QDir::Files).size(), 1);

        // Bob still has an account: the copy (which holds his tokens too) stays.
        const auto remove = [&](const QString &user) {
            return run({QStringLiteral("--profile"), profile, QStringLiteral("accounts"),
                        QStringLiteral("remove"), user});
        };
        const Run first = remove(QStringLiteral("alice@contoso.test"));
        QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
        QCOMPARE(folder.entryList(pattern, QDir::Files).size(), 1);
        // The last account goes, and the copy with it.
        const Run last = remove(QStringLiteral("bob@contoso.test"));
        QVERIFY2(last.exitCode == 0, qPrintable(last.describe()));
        QVERIFY(folder.entryList(pattern, QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
