#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace azid::sandbox {

// The sandbox's browser pages. Plain HTML forms with stable element ids (#username, #password,
// #signin, #accept, #cancel, #user_code, #next) so a headless browser can drive them. Every value
// that came from a request is HTML-escaped.
class HtmlPages
{
public:
    using Credentials = QList<QPair<QString, QString>>;

    static QString signIn(const QString &sessionId, const QString &appName, const QString &username,
                          const QString &error, const Credentials &testAccounts);
    static QString consent(const QString &sessionId, const QString &appName, const QString &username,
                           const QStringList &scopes);
    static QString deviceCodeEntry(const QString &userCode, const QString &error);
    static QString message(const QString &title, const QString &text);
    static QString error(int aadsts, const QString &text);
    // Delivers an authorize response with response_mode=form_post.
    static QString formPost(const QString &action, const QList<QPair<QString, QString>> &fields);

private:
    static QString page(const QString &title, const QString &content);
};

} // namespace azid::sandbox
