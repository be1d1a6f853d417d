#include "htmlpages.h"

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

QString escape(const QString &text)
{
    // toHtmlEscaped covers < > & and "; attributes here are always double-quoted.
    return text.toHtmlEscaped().replace(u'\'', u"&#39;"_s);
}

QString hidden(const QString &name, const QString &value)
{
    return u"<input type=\"hidden\" name=\"%1\" value=\"%2\">"_s.arg(escape(name), escape(value));
}

QString errorBlock(const QString &error)
{
    return error.isEmpty() ? QString() : u"<p id=\"error\" class=\"error\">%1</p>"_s.arg(escape(error));
}

} // namespace

QString HtmlPages::page(const QString &title, const QString &content)
{
    return uR"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>%1</title>
<style>
body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem 2.5rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.5rem;font-weight:600;margin:0 0 1rem}
label{display:block;margin:.8rem 0 .2rem}
input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.2rem;padding:.5rem 1.5rem;font-size:1rem;border:0;background:#0067b8;color:#fff;cursor:pointer}
button.secondary{background:#ccc;color:#000}
.error{color:#c00}.note{color:#555;font-size:.85rem}
.banner{font-size:.8rem;color:#555;border-bottom:1px solid #ddd;padding-bottom:.5rem;margin-bottom:1rem}
table{font-size:.85rem;border-collapse:collapse}td{padding:.1rem .6rem .1rem 0}
</style></head>
<body><main><div class="banner">Azid sandbox &mdash; a local test authority, not Microsoft Entra ID</div>
%2
</main></body></html>
)"_s.arg(escape(title), content);
}

QString HtmlPages::signIn(const QString &sessionId, const QString &appName, const QString &username,
                          const QString &error, const Credentials &testAccounts)
{
    QString accounts;
    if (!testAccounts.isEmpty()) {
        accounts = u"<details class=\"note\"><summary>Built-in test accounts</summary><table>"_s;
        for (const auto &[name, password] : testAccounts)
            accounts += u"<tr><td>%1</td><td>%2</td></tr>"_s.arg(escape(name), escape(password));
        accounts += u"</table></details>"_s;
    }
    const QString content = uR"(<h1>Sign in</h1>
<p>to continue to <strong>%1</strong></p>
%2
<form method="post" action="/login" autocomplete="off">
%3
<label for="username">Email, phone, or Skype</label>
<input type="text" id="username" name="username" value="%4" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password">
<button type="submit" id="signin">Sign in</button>
</form>
%5)"_s.arg(escape(appName), errorBlock(error), hidden(u"session"_s, sessionId), escape(username), accounts);
    return page(u"Sign in to your account"_s, content);
}

QString HtmlPages::consent(const QString &sessionId, const QString &appName, const QString &username,
                           const QStringList &scopes)
{
    QString items;
    for (const QString &scope : scopes)
        items += u"<li>%1</li>"_s.arg(escape(scope));
    const QString content = uR"(<h1>Permissions requested</h1>
<p class="note">Signed in as %1</p>
<p><strong>%2</strong> wants to:</p>
<ul id="scopes">%3</ul>
<form method="post" action="/consent">
%4
<button type="submit" id="accept" name="action" value="accept">Accept</button>
<button type="submit" id="cancel" name="action" value="cancel" class="secondary">Cancel</button>
</form>)"_s.arg(escape(username), escape(appName), items, hidden(u"session"_s, sessionId));
    return page(u"Permissions requested"_s, content);
}

QString HtmlPages::deviceCodeEntry(const QString &userCode, const QString &error)
{
    const QString content = uR"(<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
%1
<form method="post" action="/devicelogin" autocomplete="off">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" value="%2" required autofocus>
<button type="submit" id="next">Next</button>
</form>)"_s.arg(errorBlock(error), escape(userCode));
    return page(u"Enter code"_s, content);
}

QString HtmlPages::message(const QString &title, const QString &text)
{
    return page(title, u"<h1>%1</h1>\n<p id=\"message\">%2</p>"_s.arg(escape(title), escape(text)));
}

QString HtmlPages::error(int aadsts, const QString &text)
{
    return page(u"Sign in error"_s,
                u"<h1>Sorry, but we're having trouble signing you in.</h1>\n<p id=\"error\" class=\"error\">"
                u"AADSTS%1: %2</p>"_s.arg(QString::number(aadsts), escape(text)));
}

QString HtmlPages::formPost(const QString &action, const QList<QPair<QString, QString>> &fields)
{
    QString inputs;
    for (const auto &[name, value] : fields)
        inputs += hidden(name, value);
    const QString content = uR"(<form id="response" method="post" action="%1">%2
<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById('response').submit();</script>)"_s.arg(escape(action), inputs);
    return page(u"Working..."_s, content);
}

} // namespace azid::sandbox
