// The tray app with a keychain that locks under it, end to end: azid (the real program) under Xvfb
// with a tray host, the real Secret Service (run-with-keyring.sh) locked through its own D-Bus API,
// azid-sandbox. A locked keychain is a visible state (badge, banner, Unlock); a sign-in meanwhile is
// kept and saved once the keychain opens; the tray app and azid-cli signing in at once lose no account.
#include "appdriver.h"
#include "azid/model/appsettings.h"
#include "keyringcontrol.h"
#include "sandbox.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSystemTrayIcon>
#include <QtTest>

using namespace azid;

namespace {
const QString Profile = QStringLiteral("keychain-e2e");
const QString Arm = QStringLiteral("https://management.azure.com/.default");

} // namespace

class TestTrayKeychain : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    test::AppDriver m_app{Profile};

    QStringList cli(const QStringList &arguments) const
    {
        return QStringList{QStringLiteral("--profile"),
                           Profile,
                           QStringLiteral("--authority"),
                           m_sandbox.authority(),
                           QStringLiteral("--ca-bundle"),
                           m_sandbox.caFile(),
                           QStringLiteral("--disable-instance-discovery"),
                           QStringLiteral("--output"),
                           QStringLiteral("json")} +
               arguments;
    }

    QStringList cliUsers()
    {
        const QByteArray listed = test::keyring::run(
            QStringLiteral(AZID_CLI_PATH), cli({QStringLiteral("accounts"), QStringLiteral("list")}));
        QStringList users;
        for (const QJsonValue &account : QJsonDocument::fromJson(listed).array())
            users << account.toObject().value(QStringLiteral("username")).toString();
        users.sort();
        return users;
    }

    QStringList cliLogin(const QString &user) const
    {
        return cli({QStringLiteral("login"), QStringLiteral("--flow"), QStringLiteral("password"),
                    QStringLiteral("--username"), user, QStringLiteral("--password-stdin"),
                    QStringLiteral("--scope"), Arm});
    }

    static QByteArray passwordOf(const QString &user)
    {
        return user.section(QLatin1Char('@'), 0, 0).toUtf8() + "-password-1";
    }

    // Fills the Add account dialog for a password sign-in and presses Sign in.
    void startTraySignIn(const QString &user)
    {
        QVERIFY(m_app.menu({QStringLiteral("Add account")}));
        QTRY_VERIFY(m_app.state().value(QStringLiteral("signInVisible")).toBool());
        QVERIFY(m_app.set(QStringLiteral("methodPassword"), true));
        QVERIFY(m_app.set(QStringLiteral("usernameEdit"), user));
        QVERIFY(m_app.set(QStringLiteral("passwordEdit"), QString::fromUtf8(passwordOf(user))));
        QVERIFY(m_app.click(QStringLiteral("signInButton")));
    }

    void waitForTraySignIn()
    {
        QTRY_VERIFY_WITH_TIMEOUT(!m_app.state().value(QStringLiteral("signInVisible")).toBool(), 30000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(qEnvironmentVariable("AZID_TEST_KEYRING") == QLatin1String("unlocked"),
                 "run through run-with-keyring.sh (ctest does)");
        QVERIFY2(!qEnvironmentVariableIsEmpty("DISPLAY"), "run through tests/gui/with-xvfb.sh (ctest does)");
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 20000);
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        {
            model::AppSettings settings(Profile);
            settings.setDefaultAuthority(m_sandbox.authority());
            settings.setCaBundle(m_sandbox.caFile());
            settings.sync();
            QCOMPARE(settings.status(), QSettings::NoError);
        }
        QVERIFY(m_app.start(QStringLiteral(AZID_APP_PATH)));
        QTRY_VERIFY_WITH_TIMEOUT(m_app.state().value(QStringLiteral("loaded")).toBool(), 20000);
        QCOMPARE(m_app.state().value(QStringLiteral("keychainState")).toString(), QStringLiteral("Open"));
    }

    void cleanupTestCase() { m_app.stop(); }

    void aSignInWhileLockedIsKeptAndSaved()
    {
        QVERIFY(test::keyring::lock());

        startTraySignIn(QStringLiteral("bob@contoso.test"));
        waitForTraySignIn();
        QTRY_VERIFY_WITH_TIMEOUT(m_app.hasAccount(QStringLiteral("bob@contoso.test")), 30000);
        const QJsonObject locked = m_app.state();
        QCOMPARE(locked.value(QStringLiteral("keychainState")).toString(), QStringLiteral("Locked"));
        QCOMPARE(locked.value(QStringLiteral("trayState")).toString(), QStringLiteral("Locked"));
        QVERIFY(locked.value(QStringLiteral("keychainBannerVisible")).toBool());
        QVERIFY2(locked.value(QStringLiteral("toolTip")).toString().contains(QStringLiteral("locked")),
                 qPrintable(test::AppDriver::describe(locked)));
        QVERIFY(m_app.account(QStringLiteral("bob@contoso.test")).value(QStringLiteral("unsaved")).toBool());
        QVERIFY(m_app.menu({QStringLiteral("Accounts")}));
        QTRY_VERIFY(m_app.state().value(QStringLiteral("windowVisible")).toBool());
        QVERIFY(m_app.get(QStringLiteral("keychainBannerText"))
                    .value(QStringLiteral("text"))
                    .toString()
                    .contains(QStringLiteral("1 sign-in(s) will be saved")));
        QVERIFY(test::AppDriver::ok(m_app.command(
            QStringLiteral("grab"),
            {{QStringLiteral("window"), QStringLiteral("accounts")},
             {QStringLiteral("path"), QStringLiteral(AZID_SCREENSHOT_DIR "/azid-keychain-locked.png")}})));
        // The tray offers the unlock, and bob's token can be copied from memory.
        QVERIFY(m_app.menu({QStringLiteral("Unlock the keychain")})); // asks; nobody answers its prompt here
        const int copied = m_app.state().value(QStringLiteral("tokensCopied")).toInt();
        QVERIFY(m_app.menu(
            {QStringLiteral("bob@contoso.test"), QStringLiteral("Copy token: Azure Resource Manager")}));
        QTRY_COMPARE_WITH_TIMEOUT(m_app.state().value(QStringLiteral("tokensCopied")).toInt(), copied + 1,
                                  30000);

        // The person unlocks the keyring (a new login): Azid notices and saves bob.
        QVERIFY(test::keyring::unlock(QStringLiteral(AZID_UNLOCK_KEYRING)));
        QTRY_COMPARE_WITH_TIMEOUT(m_app.state().value(QStringLiteral("keychainState")).toString(),
                                  QStringLiteral("Open"), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(
            !m_app.account(QStringLiteral("bob@contoso.test")).value(QStringLiteral("unsaved")).toBool(),
            30000);
        QVERIFY(!m_app.state().value(QStringLiteral("keychainBannerVisible")).toBool());
        QVERIFY(cliUsers().contains(QStringLiteral("bob@contoso.test")));
    }

    // Started before the keychain is unlocked (a login whose keyring opens later): the app says it is
    // locked instead of "no accounts", and shows the accounts once the keychain opens.
    void startedWhileLocked()
    {
        QVERIFY(cliUsers().contains(QStringLiteral("bob@contoso.test")));
        m_app.stop();
        QVERIFY(test::keyring::lock());
        QVERIFY(m_app.start(QStringLiteral(AZID_APP_PATH)));
        QTRY_COMPARE_WITH_TIMEOUT(m_app.state().value(QStringLiteral("keychainState")).toString(),
                                  QStringLiteral("Locked"), 30000);
        const QJsonObject locked = m_app.state();
        QCOMPARE(locked.value(QStringLiteral("trayState")).toString(), QStringLiteral("Locked"));
        QVERIFY(!locked.value(QStringLiteral("toolTip")).toString().contains(QStringLiteral("no accounts")));
        QVERIFY(locked.value(QStringLiteral("keychainBannerVisible")).toBool());

        QVERIFY(test::keyring::unlock(QStringLiteral(AZID_UNLOCK_KEYRING)));
        QTRY_COMPARE_WITH_TIMEOUT(m_app.state().value(QStringLiteral("keychainState")).toString(),
                                  QStringLiteral("Open"), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(m_app.hasAccount(QStringLiteral("bob@contoso.test")), 30000);
        QCOMPARE(m_app.state().value(QStringLiteral("trayState")).toString(), QStringLiteral("Normal"));
    }

    // The tray app and azid-cli sign in at the same moment, 50 times: both accounts are listed after
    // each round (the account list changes under its lock file).
    void trayAndCliSignInAtOnce()
    {
        const QString trayUser = QStringLiteral("alice@contoso.test");
        const QString cliUser = QStringLiteral("bob@contoso.test");
        for (int round = 0; round < 50; ++round) {
            for (const QString &user : {trayUser, cliUser})
                test::keyring::run(QStringLiteral(AZID_CLI_PATH),
                                   cli({QStringLiteral("accounts"), QStringLiteral("remove"), user}));
            QVERIFY(cliUsers().isEmpty());
            QProcess login;
            startTraySignIn(trayUser);
            login.start(QStringLiteral(AZID_CLI_PATH), cliLogin(cliUser));
            QVERIFY(login.waitForStarted(10000));
            login.write(passwordOf(cliUser) + '\n');
            login.closeWriteChannel();
            QVERIFY(login.waitForFinished(60000));
            QVERIFY2(login.exitCode() == 0, login.readAllStandardError().constData());
            waitForTraySignIn();
            QTRY_VERIFY_WITH_TIMEOUT(!m_app.account(trayUser).isEmpty() &&
                                         !m_app.account(trayUser).value(QStringLiteral("unsaved")).toBool(),
                                     30000);
            QCOMPARE(cliUsers(), (QStringList{trayUser, cliUser}));
        }
    }
};

QTEST_MAIN(TestTrayKeychain)
#include "tst_traykeychain.moc"
