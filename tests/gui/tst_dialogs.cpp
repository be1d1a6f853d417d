// Every window of the tray app as people meet it with a screen reader, a small screen, a dark theme or
// 2× scaling (issue 15): every interactive widget has an accessible name, and the fields of a window
// have names of their own; each window fits a 1366×768 screen at 1× and a 2732×1536 screen at 2× with
// its buttons in view; problem text and unchecked boxes read on a dark palette. Run twice by CTest:
// gui.dialogs (1×) and gui.dialogs2x (QT_SCALE_FACTOR=2), each on an offscreen screen of that size.
// Screenshots of each window in the light and the dark palette (and at 2×) go to the build folder.
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/profilestorage.h"
#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/model/records.h"
#include "azid/ui/accountsmodel.h"
#include "azid/ui/accountswindow.h"
#include "azid/ui/readablecolors.h"
#include "azid/ui/settingsdialog.h"
#include "azid/ui/signindialog.h"
#include "azid/ui/tokeninspector.h"

#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;

namespace {

QPalette darkPalette()
{
    QPalette dark;
    const QColor window(53, 53, 53);
    const QColor base(35, 35, 35);
    dark.setColor(QPalette::Window, window);
    dark.setColor(QPalette::WindowText, Qt::white);
    dark.setColor(QPalette::Base, base);
    dark.setColor(QPalette::AlternateBase, window);
    dark.setColor(QPalette::ToolTipBase, base);
    dark.setColor(QPalette::ToolTipText, Qt::white);
    dark.setColor(QPalette::PlaceholderText, QColor(160, 160, 160));
    dark.setColor(QPalette::Text, Qt::white);
    dark.setColor(QPalette::Button, window);
    dark.setColor(QPalette::ButtonText, Qt::white);
    dark.setColor(QPalette::BrightText, Qt::red);
    dark.setColor(QPalette::Link, QColor(42, 130, 218));
    dark.setColor(QPalette::Highlight, QColor(42, 130, 218));
    dark.setColor(QPalette::HighlightedText, Qt::black);
    dark.setColor(QPalette::Disabled, QPalette::Text, QColor(127, 127, 127));
    dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(127, 127, 127));
    dark.setColor(QPalette::Disabled, QPalette::WindowText, QColor(127, 127, 127));
    return dark;
}

QString base64Url(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

AuthenticationRecord record(const QString &user, const QString &oid)
{
    AuthenticationRecord r;
    r.authority = QStringLiteral("login.microsoftonline.com");
    r.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    r.tenantId = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
    r.homeAccountId = oid + QStringLiteral("-1111-4222-8333-444444444444.") + r.tenantId;
    r.username = user;
    return r;
}

QString accessibleName(QWidget *widget)
{
    QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(widget);
    return accessible ? accessible->text(QAccessible::Name).trimmed() : QString();
}

bool isInteractive(QWidget *widget)
{
    if (qobject_cast<QProgressBar *>(widget))
        return true;
    // A spin box's or combo box's own line edit: the box itself is what a screen reader names.
    if (qobject_cast<QAbstractSpinBox *>(widget->parentWidget()) ||
        qobject_cast<QComboBox *>(widget->parentWidget()))
        return false;
    if (widget->focusPolicy() == Qt::NoFocus)
        return false;
    return qobject_cast<QAbstractButton *>(widget) || qobject_cast<QLineEdit *>(widget) ||
           qobject_cast<QAbstractSpinBox *>(widget) || qobject_cast<QComboBox *>(widget) ||
           qobject_cast<QPlainTextEdit *>(widget) || qobject_cast<QAbstractItemView *>(widget);
}

bool isField(QWidget *widget)
{
    return qobject_cast<QLineEdit *>(widget) || qobject_cast<QAbstractSpinBox *>(widget) ||
           qobject_cast<QComboBox *>(widget) || qobject_cast<QPlainTextEdit *>(widget);
}

} // namespace

class TestDialogs : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_data;
    std::unique_ptr<AppSettings> m_settings;
    std::shared_ptr<MemorySecretStore> m_store;
    std::unique_ptr<AccountService> m_service;
    QPointer<SignInOperation> m_operation;

    static qreal scale() { return QGuiApplication::primaryScreen()->devicePixelRatio(); }

    static QString shotPath(const QString &name, const QString &theme)
    {
        const QString suffix = scale() > 1.5 ? QStringLiteral("-2x") : QString();
        return QStringLiteral(AZID_SCREENSHOT_DIR "/azid-%1-%2%3.png").arg(name, theme, suffix);
    }

    std::unique_ptr<SignInDialog> signInDialog()
    {
        auto dialog = std::make_unique<SignInDialog>([this](const SignInRequest &request, QObject *parent) {
            m_operation = new SignInOperation(request, parent);
            return m_operation.data();
        });
        dialog->setObjectName(QStringLiteral("signInDialog"));
        return dialog;
    }

    // Every visible interactive widget has a name a screen reader says; no two fields share one.
    static void checkAccessibleNames(QWidget *window)
    {
        QStringList missing;
        QHash<QString, QString> fieldNames;
        QStringList shared;
        for (QWidget *widget : window->findChildren<QWidget *>()) {
            if (!widget->isVisibleTo(window) || !isInteractive(widget))
                continue;
            const QString name = accessibleName(widget);
            const QString what = QStringLiteral("%1 %2").arg(
                QString::fromLatin1(widget->metaObject()->className()), widget->objectName());
            if (name.isEmpty())
                missing << what;
            else if (isField(widget) && fieldNames.contains(name))
                shared << QStringLiteral("%1 and %2: \"%3\"").arg(fieldNames.value(name), what, name);
            else if (isField(widget))
                fieldNames.insert(name, what);
        }
        QVERIFY2(missing.isEmpty(),
                 qPrintable(QStringLiteral("%1: no accessible name: %2")
                                .arg(window->objectName(), missing.join(QStringLiteral(", ")))));
        QVERIFY2(shared.isEmpty(),
                 qPrintable(QStringLiteral("%1: fields with one name: %2")
                                .arg(window->objectName(), shared.join(QStringLiteral("; ")))));
    }

    // The window, frame included, is inside the screen's available area, and so is every button.
    static void checkFits(QWidget *window)
    {
        const QRect available = window->screen()->availableGeometry();
        QTRY_VERIFY2(available.contains(window->frameGeometry()),
                     qPrintable(QStringLiteral("%1: %2x%3 at %4,%5 on a %6x%7 screen")
                                    .arg(window->objectName())
                                    .arg(window->frameGeometry().width())
                                    .arg(window->frameGeometry().height())
                                    .arg(window->frameGeometry().x())
                                    .arg(window->frameGeometry().y())
                                    .arg(available.width())
                                    .arg(available.height())));
        for (QPushButton *button : window->findChildren<QPushButton *>()) {
            if (!button->isVisibleTo(window))
                continue;
            const QRect inWindow(button->mapTo(window, QPoint(0, 0)), button->size());
            QVERIFY2(window->rect().contains(inWindow),
                     qPrintable(QStringLiteral("%1: %2 is outside the window")
                                    .arg(window->objectName(), button->text())));
        }
    }

    // What people see, in the light palette and the dark one.
    static void saveShots(QWidget *window, const QString &name)
    {
        const QPalette light = QApplication::palette();
        QVERIFY(window->grab().save(shotPath(name, QStringLiteral("light"))));
        QApplication::setPalette(darkPalette());
        QCoreApplication::processEvents();
        QVERIFY(window->grab().save(shotPath(name, QStringLiteral("dark"))));
        QApplication::setPalette(light);
    }

    void showAndCheck(QWidget *window, const QString &shot)
    {
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        checkFits(window);
        checkAccessibleNames(window);
        saveShots(window, shot);
    }

private slots:
    void initTestCase()
    {
        installReadableStyle();
        QVERIFY(m_data.isValid());
        // The offscreen screen of the size under test: 1366×768 at 1×, 2732×1536 at 2×.
        const QRect screen = QGuiApplication::primaryScreen()->geometry();
        QCOMPARE(screen.size(), QSize(1366, 768));
        qInfo("screen %dx%d at %.1fx", screen.width(), screen.height(), scale());
        m_settings = std::make_unique<AppSettings>(QStringLiteral("dialogs"),
                                                   m_data.filePath(QStringLiteral("dialogs.conf")));
    }

    // The tallest form: the password method, with a reason to sign in again above it.
    void signInForm()
    {
        auto dialog = signInDialog();
        SignInRequest again;
        again.loginHint = QStringLiteral("alice@contoso.test");
        again.username = again.loginHint;
        again.accountId = QStringLiteral("uid.utid");
        again.method = SignInMethod::UsernamePassword;
        again.reason =
            QStringLiteral("Sign in again as alice@contoso.test to continue. The refresh token has "
                           "expired due to inactivity.");
        dialog->prefill(again);
        showAndCheck(dialog.get(), QStringLiteral("signin-form"));
    }

    void signInDeviceCode()
    {
        auto dialog = signInDialog();
        dialog->setMethod(SignInMethod::DeviceCode);
        dialog->show();
        dialog->start();
        m_operation->reportDeviceCode({QStringLiteral("https://microsoft.com/devicelogin"),
                                       QStringLiteral("ABCD2EFGH"),
                                       QDateTime::currentDateTimeUtc().addSecs(900)});
        showAndCheck(dialog.get(), QStringLiteral("signin-devicecode"));
    }

    void signInBrowser()
    {
        auto dialog = signInDialog();
        dialog->show();
        dialog->start();
        m_operation->reportBrowserUrl(
            QUrl(QStringLiteral(
                "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=x")),
            false);
        showAndCheck(dialog.get(), QStringLiteral("signin-browser"));
    }

    void signInFailed()
    {
        auto dialog = signInDialog();
        dialog->setMethod(SignInMethod::UsernamePassword);
        dialog->findChild<QLineEdit *>(QStringLiteral("usernameEdit"))
            ->setText(QStringLiteral("mfa@contoso.test"));
        dialog->findChild<QLineEdit *>(QStringLiteral("passwordEdit"))
            ->setText(QStringLiteral("mfa-password-1"));
        dialog->show();
        dialog->start();
        AuthError mfa = AuthError::authentication(
            QStringLiteral("Authentication failed: AADSTS50076: Due to a configuration change made by your "
                           "administrator, you must use multi-factor authentication to access 'x'."));
        mfa.errorCodes = {50076};
        mfa.correlationId = QStringLiteral("1b3c2f9e-0000-4000-8000-000000000001");
        m_operation->fail(mfa);
        showAndCheck(dialog.get(), QStringLiteral("signin-error"));
    }

    void settings()
    {
        SettingsDialog dialog(m_settings.get());
        showAndCheck(&dialog, QStringLiteral("settings"));
    }

    void tokenInspector()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const QString token =
            base64Url(R"({"alg":"RS256","typ":"JWT","kid":"k1"})") + QLatin1Char('.') +
            base64Url(
                QStringLiteral(R"({"aud":"https://management.azure.com","iss":"https://sts.windows.net/t/",)"
                               R"("upn":"alice@contoso.test","scp":"user_impersonation","iat":%1,)"
                               R"("nbf":%1,"exp":%2})")
                    .arg(now)
                    .arg(now + 3600)
                    .toUtf8()) +
            QStringLiteral(".c2ln");
        TokenInspector inspector;
        inspector.setToken(token);
        showAndCheck(&inspector, QStringLiteral("inspector"));
    }

    // As the app opens it: built before the accounts are read, shown at the size it asks for.
    void accountsWindow()
    {
        m_store = std::make_shared<MemorySecretStore>();
        m_service = std::make_unique<AccountService>(std::make_unique<ProfileStorage>(
            QStringLiteral("dialogs"), ProfileStorage::TokenPersistence::Encrypted, m_store));
        QSignalSpy reloaded(m_service.get(), &AccountService::accountsChanged);
        m_service->reload();
        QVERIFY(reloaded.wait(30000));
        const QList<AuthenticationRecord> accounts{
            record(QStringLiteral("alice@contoso.test"), QStringLiteral("a1")),
            record(QStringLiteral("bob@contoso.test"), QStringLiteral("b2"))};
        const QFuture<Result<int>> imported = m_service->importRecords(serializeRecords(accounts));
        QVERIFY(QTest::qWaitFor([&]() { return imported.isFinished(); }, 30000));
        QVERIFY(QTest::qWaitFor([&]() { return m_service->accounts().size() == 2; }, 30000));
        AccountsModel model(m_service.get());
        AccountsWindow window(m_service.get(), &model, m_settings.get());
        window.setObjectName(QStringLiteral("accountsWindow"));
        window.setHideOnClose(false);
        showAndCheck(&window, QStringLiteral("accounts"));
        // A sane size: room for the table, not wider than the screen.
        QVERIFY2(window.width() >= 480 && window.height() >= 240,
                 qPrintable(QStringLiteral("%1x%2").arg(window.width()).arg(window.height())));
    }

    // On a dark palette the problem text and the outline of an unchecked box stand out from the window.
    void darkPaletteReads()
    {
        const QPalette dark = darkPalette();
        const QColor window = dark.color(QPalette::Window);
        QVERIFY(contrastRatio(problemTextColor(dark), window) >= 4.5);
        QVERIFY(contrastRatio(problemTextColor(QPalette(Qt::white)), Qt::white) >= 4.5);

        auto dialog = signInDialog();
        dialog->show();
        QApplication::setPalette(dark);
        auto *tenant = dialog->findChild<QLineEdit *>(QStringLiteral("tenantEdit"));
        tenant->setFocus();
        QTest::keyClicks(tenant, QStringLiteral("a b"));
        auto *problem = dialog->findChild<QLabel *>(QStringLiteral("problemLabel"));
        QVERIFY(!problem->text().isEmpty());
        const QColor shown = problem->palette().color(QPalette::WindowText);
        QVERIFY2(contrastRatio(shown, problem->palette().color(QPalette::Window)) >= 4.5,
                 qPrintable(shown.name()));

        QCheckBox unchecked(QStringLiteral("Unchecked"));
        unchecked.resize(unchecked.sizeHint());
        const QImage image = unchecked.grab().toImage();
        QStyleOptionButton option;
        option.initFrom(&unchecked);
        const QRect box =
            unchecked.style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, &unchecked);
        double best = 1;
        const qreal ratio = image.devicePixelRatio();
        for (int y = int(box.top() * ratio); y < int((box.bottom() + 1) * ratio); ++y) {
            for (int x = int(box.left() * ratio); x < int((box.right() + 1) * ratio); ++x)
                best = qMax(best, contrastRatio(image.pixelColor(x, y), window));
        }
        QApplication::setPalette(QPalette());
        QVERIFY2(best >= 3.0, qPrintable(QString::number(best)));
    }
};

QTEST_MAIN(TestDialogs)
#include "tst_dialogs.moc"
