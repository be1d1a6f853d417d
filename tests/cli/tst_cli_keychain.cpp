// azid-cli with a keychain that locks, refuses or is another one, the real Secret Service
// (gnome-keyring under run-with-keyring.sh) locked through its own D-Bus API: nothing a person keeps
// is lost. Also the account index under two logins at once, and the recovery of caches that an
// earlier version set aside.
#include "keyringcontrol.h"
#include "sandbox.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    // The error line of --output json.
    QJsonObject error() const { return QJsonDocument::fromJson(err.trimmed().split('\n').last()).object(); }
    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(300)), QString::fromUtf8(err.left(900)));
    }
};

} // namespace

class TestCliKeychain : public QObject
{
    Q_OBJECT

private:
    azid::test::Sandbox m_sandbox;

    Run run(const QStringList &arguments, const QByteArray &input = {})
    {
        QProcess process;
        process.start(QStringLiteral(AZID_CLI_PATH), arguments);
        if (!process.waitForStarted(10000))
            return {};
        process.write(input);
        process.closeWriteChannel();
        process.waitForFinished(120000);
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }

    QStringList at(const QString &profile) const
    {
        return {QStringLiteral("--profile"),
                profile,
                QStringLiteral("--authority"),
                m_sandbox.authority(),
                QStringLiteral("--ca-bundle"),
                m_sandbox.caFile(),
                QStringLiteral("--disable-instance-discovery"),
                QStringLiteral("--output"),
                QStringLiteral("json")};
    }

    Run login(const QString &profile, const QString &user)
    {
        const QByteArray password = user.section(QLatin1Char('@'), 0, 0).toUtf8() + "-password-1\n";
        return run(at(profile) + QStringList{QStringLiteral("login"), QStringLiteral("--flow"),
                                             QStringLiteral("password"), QStringLiteral("--username"), user,
                                             QStringLiteral("--password-stdin"), QStringLiteral("--scope"),
                                             Arm},
                   password);
    }

    // As scripts ask: the account's own authority and CA come from its record.
    Run token(const QString &profile, const QString &user, const QString &scope = Arm)
    {
        return run({QStringLiteral("--profile"), profile, QStringLiteral("--output"), QStringLiteral("json"),
                    QStringLiteral("token"), QStringLiteral("--scope"), scope, QStringLiteral("--account"),
                    user});
    }

    QStringList usernames(const QString &profile)
    {
        const Run listed = run(at(profile) + QStringList{QStringLiteral("accounts"), QStringLiteral("list")});
        QStringList names;
        for (const QJsonValue &account : QJsonDocument::fromJson(listed.out).array())
            names << account.toObject().value(QStringLiteral("username")).toString();
        names.sort();
        return names;
    }

    static QString profileFolder(const QString &profile)
    {
        return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
               QStringLiteral("/azid/") + profile;
    }

    static QString cacheFile(const QString &profile)
    {
        return profileFolder(profile) + QStringLiteral("/azid.cache.nocae.bin");
    }

    static QStringList setAside(const QString &profile)
    {
        return QDir(profileFolder(profile)).entryList({QStringLiteral("*.corrupt-*")}, QDir::Files);
    }

    static QByteArray contents(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    static void lockKeychain() { QVERIFY(azid::test::keyring::lock()); }
    // What a person does: unlocks the login keyring with its password.
    static void unlockKeychain()
    {
        QVERIFY(azid::test::keyring::unlock(QStringLiteral(AZID_UNLOCK_KEYRING)));
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(qEnvironmentVariable("AZID_TEST_KEYRING") == QLatin1String("unlocked"),
                 "run this test through tests/support/run-with-keyring.sh (ctest does)");
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 3600}});
    }

    // The sequence: sign in, lock, use, sign in another, unlock. Nothing is lost.
    void lockedKeychainLosesNothing()
    {
        const QString profile = QStringLiteral("locked");
        const Run alice = login(profile, QStringLiteral("alice@contoso.test"));
        QCOMPARE(alice.exitCode, 0);
        const QByteArray cacheBefore = contents(cacheFile(profile));
        QVERIFY(!cacheBefore.isEmpty());

        lockKeychain();
        const Run lockedToken = token(profile, QStringLiteral("alice@contoso.test"));
        QVERIFY2(lockedToken.exitCode == 3, qPrintable(lockedToken.describe()));
        QCOMPARE(lockedToken.error().value(QStringLiteral("reason")).toString(),
                 QStringLiteral("keychain_locked"));
        QVERIFY2(lockedToken.error()
                     .value(QStringLiteral("message"))
                     .toString()
                     .contains(QStringLiteral("locked")),
                 qPrintable(lockedToken.describe()));

        m_sandbox.clearRequests();
        const Run lockedLogin = login(profile, QStringLiteral("bob@contoso.test"));
        QVERIFY2(lockedLogin.exitCode == 3, qPrintable(lockedLogin.describe()));
        QCOMPARE(lockedLogin.error().value(QStringLiteral("reason")).toString(),
                 QStringLiteral("keychain_locked"));
        // Nobody was asked to sign in for nothing, and nothing stored was touched.
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);
        QCOMPARE(contents(cacheFile(profile)), cacheBefore);
        QVERIFY2(setAside(profile).isEmpty(), qPrintable(setAside(profile).join(QLatin1Char(' '))));
        const Run lockedList =
            run(at(profile) + QStringList{QStringLiteral("accounts"), QStringLiteral("list")});
        QCOMPARE(lockedList.exitCode, 3);
        QCOMPARE(lockedList.error().value(QStringLiteral("reason")).toString(),
                 QStringLiteral("keychain_locked"));

        unlockKeychain();
        m_sandbox.clearRequests();
        const Run again = token(profile, QStringLiteral("alice@contoso.test"));
        QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
        // Silently: from the cache or its refresh token, no new sign-in.
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 0);
        m_sandbox.clearRequests();
        const Run refreshed = token(profile, QStringLiteral("alice@contoso.test"), Graph);
        QVERIFY2(refreshed.exitCode == 0, qPrintable(refreshed.describe()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 0);
        // The refresh token that came back with the cache still works: alice's sign-in survived.

        const Run bob = login(profile, QStringLiteral("bob@contoso.test"));
        QVERIFY2(bob.exitCode == 0, qPrintable(bob.describe()));
        QCOMPARE(usernames(profile),
                 (QStringList{QStringLiteral("alice@contoso.test"), QStringLiteral("bob@contoso.test")}));
        QVERIFY(setAside(profile).isEmpty());
    }

    // --wait-for-keychain waits for the unlock instead of failing.
    void waitsForTheUnlock()
    {
        const QString profile = QStringLiteral("waiting");
        QCOMPARE(login(profile, QStringLiteral("alice@contoso.test")).exitCode, 0);
        lockKeychain();
        QProcess waiting;
        waiting.start(QStringLiteral(AZID_CLI_PATH),
                      at(profile) + QStringList{QStringLiteral("--wait-for-keychain"), QStringLiteral("60"),
                                                QStringLiteral("token"), QStringLiteral("--scope"), Arm});
        QVERIFY(waiting.waitForStarted(10000));
        waiting.closeWriteChannel();
        QByteArray told;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         told += waiting.readAllStandardError();
                         return told.contains("waiting up to") || waiting.state() == QProcess::NotRunning;
                     },
                     30000),
                 told.constData());
        QVERIFY2(waiting.state() == QProcess::Running, told.constData()); // waiting, not "no account"
        QVERIFY2(told.contains("keychain_locked"), told.constData());
        unlockKeychain();
        QVERIFY(waiting.waitForFinished(60000));
        QCOMPARE(waiting.exitCode(), 0);
        QVERIFY(QJsonDocument::fromJson(waiting.readAllStandardOutput())
                    .object()
                    .contains(QStringLiteral("token")));
    }

    // A profile is pinned to the keychain that holds its items; another one is an error that says so.
    void anotherBackendIsAnError()
    {
        const QString profile = QStringLiteral("pinned");
        QCOMPARE(login(profile, QStringLiteral("alice@contoso.test")).exitCode, 0);
        const QString pin = profileFolder(profile) + QStringLiteral("/keychain-backend");
        QCOMPARE(contents(pin).trimmed(), QByteArray("secret-service"));
        {
            QFile file(pin);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("kwallet\n");
        }
        const QByteArray cacheBefore = contents(cacheFile(profile));
        const Run other = token(profile, QStringLiteral("alice@contoso.test"));
        QVERIFY2(other.exitCode == 3, qPrintable(other.describe()));
        QCOMPARE(other.error().value(QStringLiteral("reason")).toString(),
                 QStringLiteral("keychain_unavailable"));
        QVERIFY2(
            other.error().value(QStringLiteral("message")).toString().contains(QStringLiteral("KWallet")),
            qPrintable(other.describe()));
        QCOMPARE(contents(cacheFile(profile)), cacheBefore);
        QVERIFY(setAside(profile).isEmpty());
        QFile::remove(pin);
        QCOMPARE(token(profile, QStringLiteral("alice@contoso.test")).exitCode, 0);
        QCOMPARE(contents(pin).trimmed(), QByteArray("secret-service")); // pinned again
    }

    // A cache an earlier version set aside (it took a locked keychain for a missing key) comes back by
    // itself when no newer cache exists, and with one command when one does.
    void setAsideCachesAreRestored()
    {
        const QString profile = QStringLiteral("restore");
        QCOMPARE(login(profile, QStringLiteral("alice@contoso.test")).exitCode, 0);
        const QString copy = cacheFile(profile) + QStringLiteral(".corrupt-20260101T000000Z");
        QVERIFY(QFile::rename(cacheFile(profile), copy));
        m_sandbox.clearRequests();
        const Run restored = token(profile, QStringLiteral("alice@contoso.test"));
        QVERIFY2(restored.exitCode == 0, qPrintable(restored.describe()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 0);
        QVERIFY(!QFile::exists(copy));
        QVERIFY(QFile::exists(cacheFile(profile)));

        // Now with a newer cache beside it: the copy holds alice's tokens, the current cache does not.
        // Bob stays signed in: removing the last account of a profile would remove the copies too.
        QCOMPARE(login(profile, QStringLiteral("bob@contoso.test")).exitCode, 0);
        QVERIFY(QFile::copy(cacheFile(profile), copy));
        const QString exported = profileFolder(profile) + QStringLiteral("/alice.json");
        QCOMPARE(run(at(profile) + QStringList{QStringLiteral("accounts"), QStringLiteral("export"),
                                               QStringLiteral("alice@contoso.test"), QStringLiteral("--file"),
                                               exported})
                     .exitCode,
                 0);
        QCOMPARE(run(at(profile) + QStringList{QStringLiteral("accounts"), QStringLiteral("remove"),
                                               QStringLiteral("alice@contoso.test")})
                     .exitCode,
                 0);
        QCOMPARE(run(at(profile) + QStringList{QStringLiteral("accounts"), QStringLiteral("import"),
                                               QStringLiteral("--file"), exported})
                     .exitCode,
                 0);
        QCOMPARE(token(profile, QStringLiteral("alice@contoso.test")).exitCode, 5); // needs a sign-in
        const Run listed = run(at(profile) + QStringList{QStringLiteral("accounts"), QStringLiteral("list")});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY2(listed.err.contains("accounts restore-cache --file") && listed.err.contains(copy.toUtf8()),
                 qPrintable(listed.describe()));
        const Run restore =
            run(at(profile) + QStringList{QStringLiteral("accounts"), QStringLiteral("restore-cache"),
                                          QStringLiteral("--file"), copy});
        QVERIFY2(restore.exitCode == 0, qPrintable(restore.describe()));
        QVERIFY(!QFile::exists(copy));
        m_sandbox.clearRequests();
        const Run back = token(profile, QStringLiteral("alice@contoso.test"));
        QVERIFY2(back.exitCode == 0, qPrintable(back.describe()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 0);
    }

    // Two imports of 25 records each at once: 50 changes of the account list racing each other. With
    // the list changed under its lock file, all 50 accounts are there afterwards.
    void parallelImportsKeepEveryAccount()
    {
        for (int round = 0; round < 5; ++round) {
            const QString profile = QStringLiteral("imports-%1").arg(round);
            QList<QString> files;
            for (const QString &side : {QStringLiteral("a"), QStringLiteral("b")}) {
                QJsonArray records;
                for (int i = 0; i < 25; ++i) {
                    const QString user = QStringLiteral("user-%1-%2").arg(side).arg(i);
                    records.append(QJsonObject{
                        {QStringLiteral("username"), user + QStringLiteral("@contoso.test")},
                        {QStringLiteral("authority"), QStringLiteral("login.microsoftonline.com")},
                        {QStringLiteral("homeAccountId"), user + QStringLiteral(".72f988bf")},
                        {QStringLiteral("tenantId"), QStringLiteral("72f988bf")},
                        {QStringLiteral("clientId"), QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46")},
                        {QStringLiteral("version"), QStringLiteral("1.0")}});
                }
                const QString file =
                    QDir::temp().filePath(QStringLiteral("azid-import-%1-%2.json").arg(round).arg(side));
                QFile out(file);
                QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
                out.write(QJsonDocument(records).toJson());
                files << file;
            }
            QProcess first, second;
            const QStringList base{QStringLiteral("--profile"), profile, QStringLiteral("accounts"),
                                   QStringLiteral("import"), QStringLiteral("--file")};
            first.start(QStringLiteral(AZID_CLI_PATH), base + QStringList{files.at(0)});
            second.start(QStringLiteral(AZID_CLI_PATH), base + QStringList{files.at(1)});
            QVERIFY(first.waitForFinished(120000) && second.waitForFinished(120000));
            QVERIFY2(first.exitCode() == 0, first.readAllStandardError().constData());
            QVERIFY2(second.exitCode() == 0, second.readAllStandardError().constData());
            QCOMPARE(usernames(profile).size(), 50);
            for (const QString &file : std::as_const(files))
                QFile::remove(file);
        }
    }

    // Two logins at once, 50 times: the account index is changed under a lock, so none is lost.
    void parallelLoginsKeepEveryAccount()
    {
        for (int round = 0; round < 50; ++round) {
            const QString profile = QStringLiteral("race-%1").arg(round);
            QProcess first, second;
            const QStringList base =
                at(profile) + QStringList{QStringLiteral("login"),     QStringLiteral("--flow"),
                                          QStringLiteral("password"),  QStringLiteral("--password-stdin"),
                                          QStringLiteral("--scope"),   Arm,
                                          QStringLiteral("--username")};
            first.start(QStringLiteral(AZID_CLI_PATH),
                        base + QStringList{QStringLiteral("alice@contoso.test")});
            second.start(QStringLiteral(AZID_CLI_PATH),
                         base + QStringList{QStringLiteral("bob@contoso.test")});
            QVERIFY(first.waitForStarted(10000) && second.waitForStarted(10000));
            first.write("alice-password-1\n");
            second.write("bob-password-1\n");
            first.closeWriteChannel();
            second.closeWriteChannel();
            QVERIFY(first.waitForFinished(60000) && second.waitForFinished(60000));
            QVERIFY2(first.exitCode() == 0, first.readAllStandardError().constData());
            QVERIFY2(second.exitCode() == 0, second.readAllStandardError().constData());
            QCOMPARE(usernames(profile),
                     (QStringList{QStringLiteral("alice@contoso.test"), QStringLiteral("bob@contoso.test")}));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliKeychain)
#include "tst_cli_keychain.moc"
