// Settings survive a round trip through their file and through the settings dialog; start at login
// writes and removes an XDG autostart entry under $XDG_CONFIG_HOME. The dialog as a person meets it
// (issue 15): its groups' fields start at one edge, the timeout keeps its size and says what 0 means,
// every field explains itself in a tooltip and has a name of its own for screen readers.
#include "azid/authorityhosts.h"
#include "azid/model/appsettings.h"
#include "azid/model/autostart.h"
#include "azid/ui/settingsdialog.h"

#include <QAccessible>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace azid::model;
using namespace azid::ui;

class TestSettings : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString file(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
    }

    void defaults()
    {
        AppSettings settings(QStringLiteral("defaults"), file(QStringLiteral("defaults.conf")));
        QCOMPARE(settings.clipboardClearSeconds(), 60);
        QCOMPARE(settings.tokenFormat(), TokenFormat::Raw);
        QCOMPARE(settings.proxyMode(), ProxyMode::System);
        QVERIFY(!settings.memoryOnly());
        QVERIFY(!settings.startAtLogin());
        QVERIFY(settings.defaultAuthority().isEmpty());
        QVERIFY(settings.recentScopes().isEmpty());
        const azid::HttpOptions http = settings.httpOptions();
        QVERIFY(http.proxy.isEmpty());
        QVERIFY(http.caBundleFile.isEmpty());
    }

    void proxyPasswordNeverReachesTheFile()
    {
        const QString path = file(QStringLiteral("proxy.conf"));
        {
            AppSettings settings(QStringLiteral("proxy"), path);
            settings.setProxyMode(ProxyMode::Manual);
            settings.setProxyUrl(QStringLiteral("http://me:s3cret-pw@proxy.example.com:3128"));
            QCOMPARE(settings.proxyUrl(), QStringLiteral("http://me@proxy.example.com:3128"));
        }
        QFile written(path);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray content = written.readAll();
        QVERIFY(content.contains("proxy.example.com"));
        QVERIFY(!content.contains("s3cret-pw"));
    }

    void defaultFileIsUnderTheProfile()
    {
        QCOMPARE(AppSettings::defaultFilePath(QStringLiteral("office")),
                 m_dir.filePath(QStringLiteral("config/azid/office/azid.conf")));
        QCOMPARE(AppSettings::defaultFilePath(QString()),
                 m_dir.filePath(QStringLiteral("config/azid/default/azid.conf")));
    }

    void roundTrip()
    {
        const QString path = file(QStringLiteral("roundtrip.conf"));
        {
            AppSettings settings(QStringLiteral("rt"), path);
            QSignalSpy changed(&settings, &AppSettings::changed);
            settings.setDefaultAuthority(QStringLiteral("https://login.example.com"));
            settings.setDefaultTenant(QStringLiteral("contoso.test"));
            settings.setDefaultClientId(QStringLiteral("11111111-2222-3333-4444-555555555555"));
            settings.setLastSignInMethod(QStringLiteral("device-code"));
            settings.setTokenFormat(TokenFormat::BearerHeader);
            settings.setClipboardClearSeconds(15);
            settings.setStartAtLogin(true);
            settings.setCaBundle(QStringLiteral("/etc/ssl/extra.pem"));
            settings.setProxyMode(ProxyMode::Manual);
            settings.setProxyUrl(QStringLiteral("http://proxy.example.com:3128"));
            settings.setMemoryOnly(true);
            settings.addRecentScope(QStringLiteral("api://one/.default"));
            settings.addRecentScope(QStringLiteral("api://two/.default"));
            settings.setTenantName(QStringLiteral("72F988BF-86F1-41AF-91AB-2D7CD011DB47"),
                                   QStringLiteral("contoso.test"));
            QVERIFY(changed.count() >= 13);
            const int before = static_cast<int>(changed.count());
            settings.setClipboardClearSeconds(15); // unchanged: no signal
            QCOMPARE(changed.count(), before);
            settings.sync();
            QCOMPARE(settings.status(), QSettings::NoError);
        }
        AppSettings settings(QStringLiteral("rt"), path);
        QCOMPARE(settings.defaultAuthority(), QStringLiteral("https://login.example.com"));
        QCOMPARE(settings.defaultTenant(), QStringLiteral("contoso.test"));
        QCOMPARE(settings.defaultClientId(), QStringLiteral("11111111-2222-3333-4444-555555555555"));
        QCOMPARE(settings.lastSignInMethod(), QStringLiteral("device-code"));
        QCOMPARE(settings.tokenFormat(), TokenFormat::BearerHeader);
        QCOMPARE(settings.clipboardClearSeconds(), 15);
        QCOMPARE(settings.clipboardClearDelay(), std::chrono::milliseconds(15000));
        QVERIFY(settings.startAtLogin());
        QCOMPARE(settings.caBundle(), QStringLiteral("/etc/ssl/extra.pem"));
        QCOMPARE(settings.proxyMode(), ProxyMode::Manual);
        QCOMPARE(settings.proxyUrl(), QStringLiteral("http://proxy.example.com:3128"));
        QVERIFY(settings.memoryOnly());
        QCOMPARE(settings.recentScopes(),
                 QStringList({QStringLiteral("api://two/.default"), QStringLiteral("api://one/.default")}));
        QCOMPARE(settings.tenantName(QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47")),
                 QStringLiteral("contoso.test"));
        const azid::HttpOptions http = settings.httpOptions();
        QCOMPARE(http.proxy, QUrl(QStringLiteral("http://proxy.example.com:3128")));
        QCOMPARE(http.caBundleFile, QStringLiteral("/etc/ssl/extra.pem"));
    }

    void recentScopesAreFewNewestFirstAndNoPresets()
    {
        AppSettings settings(QStringLiteral("recent"), file(QStringLiteral("recent.conf")));
        settings.addRecentScope(QStringLiteral("https://management.azure.com/.default")); // a preset
        QVERIFY(settings.recentScopes().isEmpty());
        for (int i = 0; i < 8; ++i)
            settings.addRecentScope(QStringLiteral("api://app%1/.default").arg(i));
        settings.addRecentScope(QStringLiteral("api://app5/.default"));
        const QStringList recent = settings.recentScopes();
        QCOMPARE(recent.size(), AppSettings::MaxRecentScopes);
        QCOMPARE(recent.first(), QStringLiteral("api://app5/.default"));
        QCOMPARE(recent.count(QStringLiteral("api://app5/.default")), 1);
        QCOMPARE(recent.at(1), QStringLiteral("api://app7/.default"));
    }

    void settingsDialogRoundTrip()
    {
        AppSettings settings(QStringLiteral("dialog"), file(QStringLiteral("dialog.conf")));
        settings.setClipboardClearSeconds(42);
        settings.setTokenFormat(TokenFormat::BearerHeader);
        SettingsDialog dialog(&settings);
        QCOMPARE(dialog.findChild<QSpinBox *>(QStringLiteral("clearSecondsSpin"))->value(), 42);
        QCOMPARE(dialog.findChild<QComboBox *>(QStringLiteral("formatCombo"))->currentData().toString(),
                 QStringLiteral("bearer"));

        auto *cloud = dialog.findChild<QComboBox *>(QStringLiteral("cloudCombo"));
        auto *authority = dialog.findChild<QLineEdit *>(QStringLiteral("authorityEdit"));
        auto *save = dialog.findChild<QPushButton *>(QStringLiteral("saveButton"));
        cloud->setCurrentIndex(cloud->findData(QStringLiteral("custom")));
        authority->setText(QStringLiteral("http://insecure.example.com"));
        QVERIFY(!dialog.problem().isEmpty());
        QVERIFY(!save->isEnabled());
        authority->setText(QStringLiteral("https://login.example.com"));
        QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));

        dialog.findChild<QLineEdit *>(QStringLiteral("tenantEdit"))->setText(QStringLiteral("fabrikam.test"));
        dialog.findChild<QLineEdit *>(QStringLiteral("caBundleEdit"))
            ->setText(file(QStringLiteral("missing.pem")));
        QVERIFY(dialog.problem().contains(QStringLiteral("cannot be read")));
        QFile pem(file(QStringLiteral("extra.pem")));
        QVERIFY(pem.open(QIODevice::WriteOnly));
        pem.close();
        dialog.findChild<QLineEdit *>(QStringLiteral("caBundleEdit"))->setText(pem.fileName());
        dialog.findChild<QRadioButton *>(QStringLiteral("proxyManualRadio"))->setChecked(true);
        dialog.findChild<QLineEdit *>(QStringLiteral("proxyUrlEdit"))
            ->setText(QStringLiteral("proxy.example.com"));
        QVERIFY(dialog.problem().contains(QStringLiteral("proxy")));
        dialog.findChild<QLineEdit *>(QStringLiteral("proxyUrlEdit"))
            ->setText(QStringLiteral("http://me:secret@proxy.example.com:3128"));
        QVERIFY(dialog.problem().contains(QStringLiteral("password")));
        dialog.findChild<QLineEdit *>(QStringLiteral("proxyUrlEdit"))
            ->setText(QStringLiteral("http://proxy.example.com:8080"));
        dialog.findChild<QSpinBox *>(QStringLiteral("clearSecondsSpin"))->setValue(0);
        dialog.findChild<QComboBox *>(QStringLiteral("formatCombo"))->setCurrentIndex(0);
        dialog.findChild<QCheckBox *>(QStringLiteral("startAtLoginCheck"))->setChecked(true);
        dialog.findChild<QCheckBox *>(QStringLiteral("memoryOnlyCheck"))->setChecked(true);
        QSignalSpy saved(&dialog, &SettingsDialog::saved);
        QVERIFY(dialog.save());
        QCOMPARE(saved.count(), 1);

        AppSettings reread(QStringLiteral("dialog"), file(QStringLiteral("dialog.conf")));
        QCOMPARE(reread.defaultAuthority(), QStringLiteral("https://login.example.com"));
        QCOMPARE(reread.defaultTenant(), QStringLiteral("fabrikam.test"));
        QCOMPARE(reread.caBundle(), pem.fileName());
        QCOMPARE(reread.proxyMode(), ProxyMode::Manual);
        QCOMPARE(reread.proxyUrl(), QStringLiteral("http://proxy.example.com:8080"));
        QCOMPARE(reread.clipboardClearSeconds(), 0);
        QCOMPARE(reread.tokenFormat(), TokenFormat::Raw);
        QVERIFY(reread.startAtLogin());
        QVERIFY(reread.memoryOnly());

        // And back into a fresh dialog.
        SettingsDialog again(&reread);
        QCOMPARE(again.findChild<QComboBox *>(QStringLiteral("cloudCombo"))->currentData().toString(),
                 QStringLiteral("custom"));
        QCOMPARE(again.findChild<QLineEdit *>(QStringLiteral("authorityEdit"))->text(),
                 QStringLiteral("https://login.example.com"));
        QVERIFY(again.findChild<QRadioButton *>(QStringLiteral("proxyManualRadio"))->isChecked());
        QVERIFY(again.problem().isEmpty());
    }

    void fieldsAreAlignedAndExplained()
    {
        AppSettings settings(QStringLiteral("layout"), file(QStringLiteral("layout.conf")));
        settings.setClipboardClearSeconds(0);
        SettingsDialog dialog(&settings);
        dialog.show();
        dialog.resize(1200, dialog.height());
        QTRY_COMPARE(dialog.width(), 1200);
        auto *clear = dialog.findChild<QSpinBox *>(QStringLiteral("clearSecondsSpin"));
        // 0 reads as what it means, and the timeout does not stretch with the window.
        QCOMPARE(clear->text(), QStringLiteral("Never"));
        QVERIFY2(clear->width() <= clear->sizeHint().width(), qPrintable(QString::number(clear->width())));
        // The first field of each group starts at the same place.
        const auto left = [&](const char *name) {
            auto *widget = dialog.findChild<QWidget *>(QString::fromLatin1(name));
            return widget->mapTo(&dialog, QPoint(0, 0)).x();
        };
        const int edge = left("cloudCombo");
        for (const char *name : {"formatCombo", "clearSecondsSpin", "caBundleEdit", "proxySystemRadio",
                                 "proxyManualRadio", "startAtLoginCheck", "memoryOnlyCheck"})
            QVERIFY2(left(name) == edge, name);
        // Every field says what it is for, and names itself apart from the others.
        QStringList names;
        for (QWidget *field : dialog.findChildren<QWidget *>()) {
            const bool isField = qobject_cast<QLineEdit *>(field) || qobject_cast<QComboBox *>(field) ||
                                 qobject_cast<QSpinBox *>(field) || qobject_cast<QAbstractButton *>(field);
            if (!isField || field->objectName().isEmpty() ||
                !field->objectName().endsWith(QLatin1String("Edit")))
                continue;
            QVERIFY2(!field->toolTip().isEmpty(), qPrintable(field->objectName()));
            const QString name = QAccessible::queryAccessibleInterface(field)->text(QAccessible::Name);
            QVERIFY2(!name.isEmpty() && !names.contains(name), qPrintable(field->objectName() + name));
            names << name;
        }
        for (const char *name : {"cloudCombo", "formatCombo", "clearSecondsSpin", "proxySystemRadio",
                                 "proxyManualRadio", "startAtLoginCheck", "memoryOnlyCheck"})
            QVERIFY2(!dialog.findChild<QWidget *>(QString::fromLatin1(name))->toolTip().isEmpty(), name);
        QCOMPARE(names.size(), 5); // authority, tenant, client id, CA bundle, proxy URL
        QVERIFY(clear->toolTip().contains(QStringLiteral("Never")));
    }

    void microsoftCloudsAreStoredAsHosts()
    {
        AppSettings settings(QStringLiteral("clouds"), file(QStringLiteral("clouds.conf")));
        SettingsDialog dialog(&settings);
        auto *cloud = dialog.findChild<QComboBox *>(QStringLiteral("cloudCombo"));
        cloud->setCurrentIndex(cloud->findData(QStringLiteral("usgov")));
        QVERIFY(dialog.save());
        QCOMPARE(settings.defaultAuthority(), azid::AzureAuthorityHosts::AzureGovernment);
        cloud->setCurrentIndex(cloud->findData(QStringLiteral("public")));
        QVERIFY(dialog.save());
        QVERIFY(settings.defaultAuthority().isEmpty());
    }

    void autostartEntryWrittenAndRemoved()
    {
        const QString program = QStringLiteral("/opt/Azid Apps/bin/azid");
        Autostart autostart(QStringLiteral("default"), program);
        const QString entry = m_dir.filePath(QStringLiteral("config/autostart/azid.desktop"));
        QCOMPARE(autostart.entryPath(), entry);
        QVERIFY(!autostart.isEnabled());
        QVERIFY2(autostart.setEnabled(true), qPrintable(autostart.errorString()));
        QVERIFY(QFile::exists(entry));
        QVERIFY(autostart.isEnabled());
        QFile file(entry);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY(text.startsWith(QStringLiteral("[Desktop Entry]\n")));
        QVERIFY(text.contains(QStringLiteral("Type=Application\n")));
        QVERIFY2(text.contains(QStringLiteral("Exec=\"/opt/Azid Apps/bin/azid\"\n")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("X-GNOME-Autostart-enabled=true")));
        QVERIFY(autostart.setEnabled(true)); // again: still one entry, rewritten
        QVERIFY(autostart.setEnabled(false));
        QVERIFY(!QFile::exists(entry));
        QVERIFY(autostart.setEnabled(false)); // removing what is not there succeeds
    }

    void autostartOfAProfile()
    {
        Autostart autostart(QStringLiteral("office"), QStringLiteral("/usr/bin/azid"));
        QCOMPARE(autostart.entryPath(),
                 m_dir.filePath(QStringLiteral("config/autostart/azid-office.desktop")));
        QVERIFY(autostart.setEnabled(true));
        QVERIFY(autostart.entry().contains(QStringLiteral("Exec=/usr/bin/azid --profile office\n")));
        QVERIFY(autostart.entry().contains(QStringLiteral("Name=Azid (office)\n")));
        QVERIFY(autostart.setEnabled(false));
    }

    void execArgumentsAreQuoted_data()
    {
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QString>("quoted");
        QTest::newRow("plain") << QStringLiteral("/usr/bin/azid") << QStringLiteral("/usr/bin/azid");
        QTest::newRow("space") << QStringLiteral("/a b/azid") << QStringLiteral("\"/a b/azid\"");
        QTest::newRow("dollar") << QStringLiteral("/a$b") << QStringLiteral("\"/a\\\\$b\"");
        QTest::newRow("quote") << QStringLiteral("/a\"b") << QStringLiteral("\"/a\\\\\"b\"");
        QTest::newRow("percent") << QStringLiteral("/100%") << QStringLiteral("/100%%");
        QTest::newRow("empty") << QString() << QStringLiteral("\"\"");
    }

    void execArgumentsAreQuoted()
    {
        QFETCH(QString, argument);
        QFETCH(QString, quoted);
        QCOMPARE(Autostart::quoteExecArgument(argument), quoted);
    }
};

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
