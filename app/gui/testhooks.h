#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QPointer>

#include <memory>

namespace azid::model {
class AccountService;
} // namespace azid::model

namespace azid::ui {
class DesktopController;
class SecretClipboard;
} // namespace azid::ui

namespace azid::app {

// Remote control for the end-to-end test, over the single-instance socket (user-only). Compiled only
// into app/gui/azid-testhooks, the build of the tray app for the GUI tests (CMake option
// AZID_TEST_HOOKS; never installed), and on only when that azid was started with AZID_TEST_HOOKS=1.
// One JSON object per line in, one per line out:
//   {"cmd": "state"}                          tray, window, accounts, last tray message, token fetches
//                                             and how many tokens were copied so far
//   {"cmd": "menu", "path": ["alice", "Azure Resource Manager"]}   triggers a tray menu entry
//   {"cmd": "set", "name": OBJECT, "value": V} sets a line edit, combo box, check box or radio button
//   {"cmd": "click", "name": OBJECT}          clicks a button
//   {"cmd": "get", "name": OBJECT}            text, visibility and enabled state of a widget
//   {"cmd": "grab", "window": "accounts", "path": FILE}   saves a screenshot of the window
//   {"cmd": "close", "window": "accounts"}    closes a window as its close button would
//   {"cmd": "clickTrayMessage"}               as if the last tray message was clicked
// Entries and widgets are found by what a person sees (menu text) or by object name.
class TestHooks
{
public:
    TestHooks(ui::DesktopController *controller, model::AccountService *service,
              ui::SecretClipboard *clipboard);
    QByteArray handle(const QByteArray &line);

private:
    QJsonObject state() const;
    QJsonObject menu(const QJsonObject &request);
    QJsonObject set(const QJsonObject &request);
    QJsonObject click(const QJsonObject &request);
    QJsonObject get(const QJsonObject &request);
    QJsonObject grab(const QJsonObject &request);

    QPointer<ui::DesktopController> m_controller;
    QPointer<model::AccountService> m_service;
    QPointer<ui::SecretClipboard> m_clipboard;
    std::shared_ptr<int> m_tokensCopied = std::make_shared<int>(0);
};

} // namespace azid::app
