// The tray app's single-instance lock and socket live only in the user's private runtime folder: without
// one (unset, missing, another mode than 0700) start() fails and says why, and nothing is created in the
// temporary folder.

#include "azid/ui/singleinstance.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using azid::ui::SingleInstance;

class TestSingleInstance : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_saved = qgetenv("XDG_RUNTIME_DIR");
        m_hadRuntime = qEnvironmentVariableIsSet("XDG_RUNTIME_DIR");
        QVERIFY(m_root.isValid());
        m_profile = QStringLiteral("singleinstance-%1").arg(QCoreApplication::applicationPid());
    }

    void cleanup()
    {
        if (m_hadRuntime)
            qputenv("XDG_RUNTIME_DIR", m_saved);
        else
            qunsetenv("XDG_RUNTIME_DIR");
    }

    void unusableRuntimeFolderFails_data()
    {
        QTest::addColumn<QString>("runtime"); // relative to the test's folder; "-": unset
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("says");
        QTest::newRow("unset") << QStringLiteral("-") << 0 << QStringLiteral("XDG_RUNTIME_DIR is not set");
        QTest::newRow("missing") << QStringLiteral("gone") << 0 << QStringLiteral("does not exist");
        QTest::newRow("group readable") << QStringLiteral("shared") << 0750 << QStringLiteral("mode 0700");
        QTest::newRow("world writable") << QStringLiteral("open") << 0777 << QStringLiteral("mode 0700");
    }

    void unusableRuntimeFolderFails()
    {
        QFETCH(QString, runtime);
        QFETCH(int, mode);
        QFETCH(QString, says);
        if (runtime == QStringLiteral("-")) {
            qunsetenv("XDG_RUNTIME_DIR");
        } else {
            const QString dir = m_root.filePath(runtime);
            if (mode != 0) {
                QVERIFY(QDir().mkpath(dir));
                QCOMPARE(::chmod(QFile::encodeName(dir).constData(), mode_t(mode)), 0);
            }
            qputenv("XDG_RUNTIME_DIR", QFile::encodeName(dir));
        }
        const QStringList tempBefore = tempEntries();
        SingleInstance instance(m_profile);
        QCOMPARE(instance.start(), SingleInstance::Role::Failed);
        QVERIFY2(instance.errorString().contains(says), qPrintable(instance.errorString()));
        QVERIFY2(instance.errorString().contains(QStringLiteral("never in a shared temporary folder")),
                 qPrintable(instance.errorString()));
        QVERIFY(SingleInstance::lockPath(m_profile).isEmpty());
        QVERIFY(SingleInstance::socketPath(m_profile).isEmpty());
        QCOMPARE(tempEntries(), tempBefore);
        if (mode != 0)
            QVERIFY(QDir(m_root.filePath(runtime)).isEmpty());
    }

    void privateRuntimeFolderHoldsLockAndSocket()
    {
        const QString dir = m_root.filePath(QStringLiteral("run"));
        QVERIFY(QDir().mkpath(dir));
        QCOMPARE(::chmod(QFile::encodeName(dir).constData(), 0700), 0);
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(dir));
        SingleInstance first(m_profile);
        QCOMPARE(first.start(), SingleInstance::Role::Primary);
        QCOMPARE(QFileInfo(SingleInstance::lockPath(m_profile)).path(), dir);
        QVERIFY(QFile::exists(SingleInstance::lockPath(m_profile)));
        QVERIFY(QFile::exists(SingleInstance::socketPath(m_profile)));
        SingleInstance second(m_profile);
        QCOMPARE(second.start(), SingleInstance::Role::Secondary);
    }

private:
    // What the temporary folder holds of ours: a lock or socket of this profile.
    QStringList tempEntries() const
    {
        return QDir(QDir::tempPath())
            .entryList({QStringLiteral("azid-") + m_profile + QStringLiteral("*")},
                       QDir::AllEntries | QDir::System | QDir::Hidden, QDir::Name);
    }

    QTemporaryDir m_root;
    QByteArray m_saved;
    bool m_hadRuntime = false;
    QString m_profile;
};

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
