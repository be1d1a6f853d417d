// A keychain that becomes usable late, for real: KeychainAvailability and `azid-cli --wait-for-keychain`
// wait while the Secret Service is missing (run-with-keyring.sh --no-keyring) or its keyring locked
// (--locked), and go on once this test starts the daemon, or restarts it with the keyring's password,
// as a session does when it finishes logging in.
#include "azid/keychain/keychainavailability.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/storagefailure.h"
#include "keychaintesthelpers.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace azid;
using namespace std::chrono_literals;
using azid::keychaintest::waitFor;

namespace {

// The process serving org.freedesktop.secrets on the session bus, or 0.
qint64 secretServicePid()
{
    QProcess query;
    query.start(QStringLiteral("dbus-send"),
                {QStringLiteral("--session"), QStringLiteral("--print-reply=literal"),
                 QStringLiteral("--dest=org.freedesktop.DBus"), QStringLiteral("/"),
                 QStringLiteral("org.freedesktop.DBus.GetConnectionUnixProcessID"),
                 QStringLiteral("string:org.freedesktop.secrets")});
    query.waitForFinished(10000);
    return QString::fromUtf8(query.readAllStandardOutput())
        .simplified()
        .section(QLatin1Char(' '), -1)
        .toLongLong();
}

bool startKeyring(const QByteArray &password)
{
    QProcess daemon;
    daemon.start(
        QStringLiteral("gnome-keyring-daemon"),
        {QStringLiteral("--unlock"), QStringLiteral("--components=secrets"), QStringLiteral("--daemonize")});
    if (!daemon.waitForStarted(10000))
        return false;
    daemon.write(password);
    daemon.closeWriteChannel();
    daemon.waitForFinished(30000);
    return QTest::qWaitFor([] { return secretServicePid() > 0; }, 30000);
}

// Stops the daemon and waits until its name is gone from the bus.
bool stopKeyring(qint64 pid)
{
    ::kill(pid_t(pid), SIGTERM);
    return QTest::qWaitFor([] { return secretServicePid() == 0; }, 30000);
}

} // namespace

class TestKeychainWait : public QObject
{
    Q_OBJECT

private:
    QString m_setting;
    StorageFailure m_reason = StorageFailure::None;

private slots:
    void initTestCase()
    {
        m_setting = qEnvironmentVariable("AZID_TEST_KEYRING");
        if (m_setting == QLatin1String("none"))
            m_reason = StorageFailure::KeychainUnavailable;
        else if (m_setting == QLatin1String("locked"))
            m_reason = StorageFailure::KeychainLocked;
        QVERIFY2(m_reason != StorageFailure::None,
                 "run through run-with-keyring.sh --no-keyring or --locked");
        QVERIFY(!qEnvironmentVariableIsEmpty("AZID_TEST_KEYRING_PASSWORD"));
    }

    void waitsUntilTheKeychainIsUsable()
    {
        KeychainAvailability watcher;
        watcher.setBackoff({100ms, 1s, 2.0});
        QSignalSpy available(&watcher, &KeychainAvailability::available);
        QSignalSpy unavailable(&watcher, &KeychainAvailability::unavailable);
        watcher.start();
        QVERIFY(unavailable.wait(30000));
        QCOMPARE(storageFailure(unavailable.first().first().value<AuthError>()), m_reason);

        // The command line waits too, and says so on stderr.
        QProcess cli;
        cli.start(QStringLiteral(AZID_CLI_PATH),
                  {QStringLiteral("--profile"), QStringLiteral("wait"), QStringLiteral("--wait-for-keychain"),
                   QStringLiteral("300"), QStringLiteral("accounts"), QStringLiteral("list")});
        QVERIFY(cli.waitForStarted());
        QByteArray err;
        QVERIFY(QTest::qWaitFor(
            [&] {
                err += cli.readAllStandardError();
                return err.contains("waiting up to 300 s");
            },
            60000));
        QVERIFY2(err.contains(storageFailureName(m_reason).toUtf8()), err.constData());
        QCOMPARE(cli.state(), QProcess::Running);
        QVERIFY(available.isEmpty());

        // The session gets its keychain: started, or restarted with the login keyring's own password.
        if (m_reason == StorageFailure::KeychainLocked)
            QVERIFY(stopKeyring(secretServicePid()));
        QVERIFY(startKeyring(qgetenv("AZID_TEST_KEYRING_PASSWORD")));

        QVERIFY(available.wait(60000) || watcher.isAvailable());
        QCOMPARE(available.count(), 1);
        QVERIFY(cli.waitForFinished(120000));
        err += cli.readAllStandardError();
        QVERIFY2(cli.exitCode() == 0, err.constData());
        QCOMPARE(cli.readAllStandardOutput().trimmed(), QByteArray("[]"));
        QVERIFY(err.contains("the keychain is available now"));

        // And it is usable indeed: a write works.
        KeychainSecretStore store;
        const auto written =
            waitFor(store.write(QStringLiteral("test:after-wait"), Secret::fromString(QStringLiteral("v"))));
        QVERIFY2(written && written->ok(), azid::keychaintest::describe(written).constData());
    }

    void givesUpWithTheReason()
    {
        // Usable now: --wait-for-keychain costs nothing and says nothing.
        QProcess ready;
        ready.start(QStringLiteral(AZID_CLI_PATH),
                    {QStringLiteral("--profile"), QStringLiteral("wait"),
                     QStringLiteral("--wait-for-keychain"), QStringLiteral("1"), QStringLiteral("accounts"),
                     QStringLiteral("list")});
        QVERIFY(ready.waitForFinished(60000));
        QCOMPARE(ready.exitCode(), 0);
        QVERIFY(!ready.readAllStandardError().contains("waiting"));

        // A keychain that never comes: exit 3 after the wait, with the reason.
        QProcess never;
        QProcessEnvironment noBus = QProcessEnvironment::systemEnvironment();
        noBus.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                     QStringLiteral("unix:path=/nonexistent/azid-test-bus"));
        never.setProcessEnvironment(noBus);
        never.start(QStringLiteral(AZID_CLI_PATH),
                    {QStringLiteral("--profile"), QStringLiteral("wait"), QStringLiteral("--output"),
                     QStringLiteral("json"), QStringLiteral("--wait-for-keychain"), QStringLiteral("1"),
                     QStringLiteral("accounts"), QStringLiteral("list")});
        QVERIFY(never.waitForFinished(60000));
        QCOMPARE(never.exitCode(), 3);
        const QList<QByteArray> lines = never.readAllStandardError().trimmed().split('\n');
        QVERIFY(lines.first().contains("waiting up to 1 s"));
        const QJsonObject error = QJsonDocument::fromJson(lines.last()).object();
        QCOMPARE(error.value(QStringLiteral("reason")).toString(), QStringLiteral("keychain_unavailable"));
        QVERIFY(error.value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("--wait-for-keychain")));
    }

    void cleanupTestCase()
    {
        // Whatever this test started goes with it (run-with-keyring.sh stops the daemon it started).
        if (m_reason == StorageFailure::KeychainLocked) {
            if (const qint64 pid = secretServicePid(); pid > 0)
                QVERIFY(stopKeyring(pid));
        }
    }
};

QTEST_GUILESS_MAIN(TestKeychainWait)
#include "tst_keychainwait.moc"
