#include "azid/ui/tokeninspector.h"

#include "azid/ui/screenfit.h"

#include <QCloseEvent>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShowEvent>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace azid::ui {

TokenInspector::TokenInspector(QWidget *parent) : QDialog(parent), m_clock(&Clock::system())
{
    setWindowTitle(tr("Token inspector — Azid"));
    setObjectName(QStringLiteral("tokenInspector"));
    // Room for a token's claims; fitOnScreen() makes it smaller on small screens.
    m_preferredSize = QSize(820, 620);

    auto *layout = new QVBoxLayout(this);
    auto *privacy = new QLabel(tr("Decoded here, offline: the token is never sent anywhere. The "
                                  "signature is not checked."),
                               this);
    privacy->setWordWrap(true);
    layout->addWidget(privacy);

    m_tokenEdit = new QPlainTextEdit(this);
    m_tokenEdit->setObjectName(QStringLiteral("tokenEdit"));
    m_tokenEdit->setPlaceholderText(
        tr("Paste a token: eyJ…, \"Bearer eyJ…\" or \"Authorization: Bearer eyJ…\""));
    m_tokenEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tokenEdit->setWordWrapMode(QTextOption::WrapAnywhere);
    m_tokenEdit->setMaximumHeight(90);
    m_tokenEdit->setTabChangesFocus(true); // Tab leaves the field: a token holds no tabs
    m_tokenEdit->setAccessibleName(tr("Token"));
    m_tokenEdit->setToolTip(tr("The token to decode; it is forgotten when this window closes"));
    layout->addWidget(m_tokenEdit);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setTextFormat(Qt::PlainText); // the audience and user come from the token
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    createTabs();
    layout->addWidget(m_tabs, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    layout->addWidget(buttons);

    connect(m_tokenEdit, &QPlainTextEdit::textChanged, this, &TokenInspector::decode);
    connect(m_challengeEdit, &QPlainTextEdit::textChanged, this, &TokenInspector::parseChallenge);
    connect(m_requestButton, &QPushButton::clicked, this, [this]() {
        if (m_challenge.problem.isEmpty() && !m_accountId.isEmpty())
            emit newTokenRequested(m_accountId, m_scopes, m_challenge.claims);
    });
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &TokenInspector::tick);
    decode();
    parseChallenge();
}

void TokenInspector::createTabs()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("inspectorTabs"));
    m_tabs->setAccessibleName(tr("Decoded token"));
    m_claimsView = new QTableView(this);
    m_claimsView->setObjectName(QStringLiteral("claimsView"));
    m_claimsView->setModel(&m_claims);
    m_claimsView->verticalHeader()->hide();
    m_claimsView->horizontalHeader()->setStretchLastSection(true);
    m_claimsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_claimsView->setWordWrap(false);
    m_claimsView->setTabKeyNavigation(false); // Tab leaves the table; the arrow keys move in it
    m_claimsView->setAccessibleName(tr("Claims"));
    m_tabs->addTab(m_claimsView, tr("Claims"));

    m_headerView = new QPlainTextEdit(this);
    m_headerView->setObjectName(QStringLiteral("headerView"));
    m_headerView->setReadOnly(true);
    m_headerView->setTabChangesFocus(true);
    m_headerView->setAccessibleName(tr("Token header"));
    m_headerView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tabs->addTab(m_headerView, tr("Header"));
    m_tabs->addTab(createChallengePage(), tr("Claims challenge"));
}

QWidget *TokenInspector::createChallengePage()
{
    auto *challengePage = new QWidget(this);
    auto *challengeLayout = new QVBoxLayout(challengePage);
    auto *challengeHelp =
        new QLabel(tr("When an API answers 401 with a claims challenge (continuous access evaluation, "
                      "conditional access), paste its WWW-Authenticate header here to request a new "
                      "token that satisfies it."),
                   challengePage);
    challengeHelp->setWordWrap(true);
    challengeLayout->addWidget(challengeHelp);
    m_challengeEdit = new QPlainTextEdit(challengePage);
    m_challengeEdit->setObjectName(QStringLiteral("challengeEdit"));
    m_challengeEdit->setPlaceholderText(QStringLiteral(
        "Bearer realm=\"\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsi…\""));
    m_challengeEdit->setMaximumHeight(90);
    m_challengeEdit->setTabChangesFocus(true);
    m_challengeEdit->setAccessibleName(tr("Claims challenge"));
    m_challengeEdit->setToolTip(tr("A WWW-Authenticate header with a claims challenge, or its claims"));
    challengeLayout->addWidget(m_challengeEdit);
    m_challengeResult = new QLabel(challengePage);
    m_challengeResult->setObjectName(QStringLiteral("challengeResult"));
    m_challengeResult->setTextFormat(Qt::PlainText); // the claims come from a server
    m_challengeResult->setWordWrap(true);
    m_challengeResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    challengeLayout->addWidget(m_challengeResult);
    m_requestButton = new QPushButton(tr("Request a new token with these claims"), challengePage);
    m_requestButton->setObjectName(QStringLiteral("requestButton"));
    m_requestButton->setEnabled(false);
    challengeLayout->addWidget(m_requestButton, 0, Qt::AlignLeft);
    challengeLayout->addStretch();
    return challengePage;
}

TokenInspector::~TokenInspector() = default;

QSize TokenInspector::sizeHint() const
{
    return m_preferredSize.expandedTo(QDialog::sizeHint());
}

void TokenInspector::setClock(const Clock *clock)
{
    m_clock = clock ? clock : &Clock::system();
    tick();
}

void TokenInspector::setToken(const QString &token, const QString &accountId, const QStringList &scopes)
{
    m_accountId = accountId;
    m_scopes = scopes;
    m_tokenEdit->setPlainText(token);
    parseChallenge();
}

void TokenInspector::decode()
{
    m_decoded = model::decodeJwt(m_tokenEdit->toPlainText());
    m_claims.setClaims(m_decoded.claims);
    m_headerView->setPlainText(m_decoded.isJwt ? QString::fromUtf8(QJsonDocument(m_decoded.header).toJson())
                                               : QString());
    m_claimsView->resizeColumnsToContents();
    m_claimsView->setColumnWidth(ClaimsModel::ValueColumn,
                                 qMin(m_claimsView->columnWidth(ClaimsModel::ValueColumn), 420));
    if (m_decoded.isJwt)
        m_tick.start();
    else
        m_tick.stop();
    tick();
}

QString TokenInspector::statusText() const
{
    if (!m_decoded.isJwt)
        return m_decoded.error;
    const qint64 now = m_clock->now();
    const QString audience =
        model::claimValueText(QStringLiteral("aud"), m_decoded.claims.value(QStringLiteral("aud")));
    const QString who = m_decoded.claims.value(QStringLiteral("upn")).toString().isEmpty()
                            ? m_decoded.claims.value(QStringLiteral("preferred_username")).toString()
                            : m_decoded.claims.value(QStringLiteral("upn")).toString();
    const QString forWhom = audience.isEmpty() ? tr("(no audience)") : audience;
    //: %1 is the audience (the API the token is for), %2 the user
    const QString token =
        who.isEmpty() ? tr("Token for %1").arg(forWhom) : tr("Token for %1, user %2").arg(forWhom, who);
    const auto nbf = m_decoded.timeClaim(QStringLiteral("nbf"));
    const auto exp = m_decoded.timeClaim(QStringLiteral("exp"));
    //: %1 is "Token for ...", %2 when it becomes valid ("in 5 min")
    if (nbf && *nbf > now)
        return tr("%1: not valid yet, valid %2.").arg(token, model::relativeTime(*nbf - now));
    //: %1 is "Token for ..."
    if (!exp)
        return tr("%1: no expiry.").arg(token);
    const QString at = QDateTime::fromSecsSinceEpoch(*exp).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    //: %1 is "Token for ...", %2 how long ago ("5 min ago"), %3 the local time
    if (*exp <= now)
        return tr("%1: expired %2 (at %3).").arg(token, model::relativeTime(*exp - now), at);
    //: %1 is "Token for ...", %2 how long from now ("in 5 min"), %3 the local time
    return tr("%1: expires %2 (at %3).").arg(token, model::relativeTime(*exp - now), at);
}

void TokenInspector::tick()
{
    m_claims.setNow(m_clock->now());
    m_status->setText(statusText());
}

void TokenInspector::parseChallenge()
{
    const QString text = m_challengeEdit->toPlainText();
    m_challenge = model::parseClaimsChallenge(text);
    if (text.trimmed().isEmpty()) {
        m_challengeResult->setText(QString());
    } else if (!m_challenge.problem.isEmpty()) {
        m_challengeResult->setText(m_challenge.problem);
    } else {
        QString result = tr("Claims requested: %1").arg(m_challenge.claims);
        if (m_accountId.isEmpty())
            result += QLatin1Char('\n') +
                      tr("Open this inspector from an account's \"Inspect token\" to request a new token.");
        m_challengeResult->setText(result);
    }
    m_requestButton->setEnabled(m_challenge.problem.isEmpty() && !m_accountId.isEmpty() &&
                                !text.trimmed().isEmpty());
}

void TokenInspector::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    if (!event->spontaneous())
        fitOnScreen(this);
}

void TokenInspector::closeEvent(QCloseEvent *event)
{
    // The token goes with the window.
    m_tokenEdit->clear();
    m_tick.stop();
    QDialog::closeEvent(event);
}

} // namespace azid::ui
