#include "testhooks.h"

#include "azid/model/accountservice.h"
#include "azid/ui/desktopcontroller.h"
#include "azid/ui/secretclipboard.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMetaEnum>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTimer>

namespace azid::app {

namespace {

QJsonObject failure(const QString &message)
{
    return {{QStringLiteral("ok"), false}, {QStringLiteral("error"), message}};
}

QString plainText(const QAction *action)
{
    QString text = action->text();
    text.remove(QLatin1Char('&'));
    return text;
}

// The widget with this object name in a visible top-level window (the newest first), else anywhere.
QWidget *findWidget(const QString &name)
{
    QWidget *fallback = nullptr;
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (auto it = windows.crbegin(); it != windows.crend(); ++it) {
        QWidget *window = *it;
        QWidget *found = window->objectName() == name ? window : window->findChild<QWidget *>(name);
        if (!found)
            continue;
        if (window->isVisible())
            return found;
        if (!fallback)
            fallback = found;
    }
    return fallback;
}

} // namespace

TestHooks::TestHooks(ui::DesktopController *controller, model::AccountService *service,
                     ui::SecretClipboard *clipboard)
    : m_controller(controller), m_service(service), m_clipboard(clipboard)
{
    QObject::connect(controller, &ui::DesktopController::tokenCopied, controller,
                     [copied = m_tokensCopied]() { ++*copied; });
}

QByteArray TestHooks::handle(const QByteArray &line)
{
    const QJsonObject request = QJsonDocument::fromJson(line).object();
    const QString command = request.value(QStringLiteral("cmd")).toString();
    QJsonObject answer;
    if (!m_controller || !m_service)
        answer = failure(QStringLiteral("shutting down"));
    else if (command == QStringLiteral("ping"))
        answer = {{QStringLiteral("ok"), true}};
    else if (command == QStringLiteral("state"))
        answer = state();
    else if (command == QStringLiteral("menu"))
        answer = menu(request);
    else if (command == QStringLiteral("set"))
        answer = set(request);
    else if (command == QStringLiteral("click"))
        answer = click(request);
    else if (command == QStringLiteral("get"))
        answer = get(request);
    else if (command == QStringLiteral("grab"))
        answer = grab(request);
    else if (command == QStringLiteral("close")) {
        // As the window manager's close button would: a close event, from the event loop.
        QWidget *window = request.value(QStringLiteral("window")).toString() == QStringLiteral("accounts")
                              ? m_controller->accountsWindow()
                              : findWidget(request.value(QStringLiteral("window")).toString());
        if (window)
            QTimer::singleShot(0, window, &QWidget::close);
        answer =
            window ? QJsonObject{{QStringLiteral("ok"), true}} : failure(QStringLiteral("no such window"));
    } else if (command == QStringLiteral("clickTrayMessage")) {
        // As a click would: from the event loop, after this answer.
        QTimer::singleShot(0, m_controller->tray(), [tray = QPointer<ui::TrayIcon>(m_controller->tray())]() {
            if (tray)
                emit tray->systemTrayIcon()->messageClicked();
        });
        answer = {{QStringLiteral("ok"), true}};
    } else
        answer = failure(QStringLiteral("unknown command \"%1\"").arg(command));
    return QJsonDocument(answer).toJson(QJsonDocument::Compact);
}

QJsonObject TestHooks::state() const
{
    ui::TrayIcon *tray = m_controller->tray();
    QJsonArray accounts;
    const qint64 now = m_service->clock().now();
    for (const model::AccountEntry &entry : m_service->accounts()) {
        accounts.append(
            QJsonObject{{QStringLiteral("username"), entry.record().username},
                        {QStringLiteral("id"), entry.id()},
                        {QStringLiteral("isDefault"), entry.stored.metadata.isDefault},
                        {QStringLiteral("method"), entry.stored.metadata.signInMethod},
                        {QStringLiteral("needsSignIn"), entry.needsSignIn(now)},
                        {QStringLiteral("validUntil"), entry.tokens.validUntil},
                        {QStringLiteral("validScopes"), QJsonArray::fromStringList(entry.tokens.validScopes)},
                        {QStringLiteral("sharesWithAzureTools"), entry.stored.metadata.shareWithAzureTools},
                        {QStringLiteral("unsaved"), entry.unsaved}});
    }
    QJsonObject state{
        {QStringLiteral("ok"), true},
        {QStringLiteral("trayAvailable"), ui::TrayIcon::isSystemTrayAvailable()},
        {QStringLiteral("trayVisible"), tray->isVisible()},
        {QStringLiteral("trayState"),
         QString::fromLatin1(
             QMetaEnum::fromType<ui::TrayIcon::State>().valueToKey(static_cast<int>(tray->state())))},
        {QStringLiteral("toolTip"), tray->systemTrayIcon()->toolTip()},
        {QStringLiteral("lastMessage"), tray->lastMessage()},
        {QStringLiteral("windowVisible"), m_controller->accountsWindow()->isVisible()},
        {QStringLiteral("loaded"), m_service->isLoaded()},
        {QStringLiteral("keychainState"),
         QString::fromLatin1(QMetaEnum::fromType<model::AccountService::KeychainState>().valueToKey(
             static_cast<int>(m_service->keychainState())))},
        {QStringLiteral("keychainBannerVisible"),
         m_controller->accountsWindow()->findChild<QWidget *>(QStringLiteral("keychainBanner")) &&
             m_controller->accountsWindow()
                 ->findChild<QWidget *>(QStringLiteral("keychainBanner"))
                 ->isVisibleTo(m_controller->accountsWindow())},
        {QStringLiteral("accounts"), accounts},
        {QStringLiteral("clipboardClearPending"), m_clipboard && m_clipboard->clearPending()},
        {QStringLiteral("pendingRequests"), m_service->pendingRequests()},
        {QStringLiteral("tokenFetches"), QJsonArray::fromStringList(m_controller->tokenFetches())},
        {QStringLiteral("tokensCopied"), *m_tokensCopied},
    };
    if (ui::SignInDialog *dialog = m_controller->signInDialog()) {
        state.insert(QStringLiteral("signInPage"),
                     QString::fromLatin1(QMetaEnum::fromType<ui::SignInDialog::Page>().valueToKey(
                         static_cast<int>(dialog->page()))));
        state.insert(QStringLiteral("signInVisible"), dialog->isVisible());
    }
    return state;
}

QJsonObject TestHooks::menu(const QJsonObject &request)
{
    ui::TrayIcon *tray = m_controller->tray();
    tray->rebuildMenu();
    QMenu *menu = tray->menu();
    const QJsonArray path = request.value(QStringLiteral("path")).toArray();
    if (path.isEmpty())
        return failure(QStringLiteral("no path"));
    for (qsizetype i = 0; i < path.size(); ++i) {
        const QString wanted = path[i].toString();
        QAction *match = nullptr;
        QStringList seen;
        for (QAction *action : menu->actions()) {
            if (action->isSeparator())
                continue;
            seen << plainText(action);
            if (!match && plainText(action).startsWith(wanted))
                match = action;
        }
        if (!match)
            return failure(
                QStringLiteral("no entry \"%1\" in: %2").arg(wanted, seen.join(QStringLiteral(" | "))));
        if (!match->isEnabled())
            return failure(QStringLiteral("\"%1\" is disabled").arg(wanted));
        if (i + 1 < path.size()) {
            if (!match->menu())
                return failure(QStringLiteral("\"%1\" has no submenu").arg(wanted));
            menu = match->menu();
        } else {
            // As a click would: from the event loop, after this answer.
            QTimer::singleShot(0, match, &QAction::trigger);
        }
    }
    return {{QStringLiteral("ok"), true}};
}

QJsonObject TestHooks::set(const QJsonObject &request)
{
    const QString name = request.value(QStringLiteral("name")).toString();
    const QJsonValue value = request.value(QStringLiteral("value"));
    QWidget *widget = findWidget(name);
    if (!widget)
        return failure(QStringLiteral("no widget \"%1\"").arg(name));
    if (auto *edit = qobject_cast<QLineEdit *>(widget)) {
        edit->setText(value.toString());
    } else if (auto *text = qobject_cast<QPlainTextEdit *>(widget)) {
        text->setPlainText(value.toString());
    } else if (auto *combo = qobject_cast<QComboBox *>(widget)) {
        int index = combo->findData(value.toString());
        if (index < 0)
            index = combo->findText(value.toString());
        if (index < 0)
            return failure(QStringLiteral("\"%1\" has no item \"%2\"").arg(name, value.toString()));
        combo->setCurrentIndex(index);
    } else if (auto *spin = qobject_cast<QSpinBox *>(widget)) {
        spin->setValue(value.toInt());
    } else if (auto *button = qobject_cast<QAbstractButton *>(widget)) {
        button->setChecked(value.toBool());
    } else {
        return failure(QStringLiteral("\"%1\" cannot be set").arg(name));
    }
    return {{QStringLiteral("ok"), true}};
}

QJsonObject TestHooks::click(const QJsonObject &request)
{
    const QString name = request.value(QStringLiteral("name")).toString();
    auto *button = qobject_cast<QAbstractButton *>(findWidget(name));
    if (!button)
        return failure(QStringLiteral("no button \"%1\"").arg(name));
    if (!button->isEnabled())
        return failure(QStringLiteral("\"%1\" is disabled").arg(name));
    QTimer::singleShot(0, button, &QAbstractButton::click);
    return {{QStringLiteral("ok"), true}};
}

QJsonObject TestHooks::get(const QJsonObject &request)
{
    const QString name = request.value(QStringLiteral("name")).toString();
    QWidget *widget = findWidget(name);
    if (!widget)
        return failure(QStringLiteral("no widget \"%1\"").arg(name));
    QString text;
    if (auto *label = qobject_cast<QLabel *>(widget))
        text = label->text();
    else if (auto *edit = qobject_cast<QLineEdit *>(widget))
        text = edit->text();
    else if (auto *plain = qobject_cast<QPlainTextEdit *>(widget))
        text = plain->toPlainText();
    else if (auto *button = qobject_cast<QAbstractButton *>(widget))
        text = button->text();
    else
        text = widget->windowTitle();
    return {{QStringLiteral("ok"), true},
            {QStringLiteral("text"), text},
            {QStringLiteral("visible"), widget->isVisible()},
            {QStringLiteral("enabled"), widget->isEnabled()}};
}

QJsonObject TestHooks::grab(const QJsonObject &request)
{
    const QString path = request.value(QStringLiteral("path")).toString();
    QWidget *window = request.value(QStringLiteral("window")).toString() == QStringLiteral("accounts")
                          ? static_cast<QWidget *>(m_controller->accountsWindow())
                          : findWidget(request.value(QStringLiteral("window")).toString());
    if (!window || path.isEmpty())
        return failure(QStringLiteral("no such window, or no path"));
    if (!window->grab().save(path))
        return failure(QStringLiteral("could not save %1").arg(path));
    return {{QStringLiteral("ok"), true}};
}

} // namespace azid::app
