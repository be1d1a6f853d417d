#include "azid/ui/localtoolswindow.h"

#include "azid/model/accountservice.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace azid::ui {

LocalToolRequestsModel::LocalToolRequestsModel(QObject *parent) : QAbstractTableModel(parent) {}

void LocalToolRequestsModel::setRequests(const QList<model::LocalToolRequest> &requests)
{
    beginResetModel();
    m_requests.clear();
    for (auto request = requests.crbegin(); request != requests.crend(); ++request)
        m_requests.append(*request);
    endResetModel();
}

void LocalToolRequestsModel::add(const model::LocalToolRequest &request)
{
    beginInsertRows({}, 0, 0);
    m_requests.prepend(request);
    endInsertRows();
    if (m_requests.size() > model::LocalTools::RecentRequestsKept) {
        const int last = int(m_requests.size()) - 1;
        beginRemoveRows({}, last, last);
        m_requests.removeLast();
        endRemoveRows();
    }
}

int LocalToolRequestsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_requests.size());
}

int LocalToolRequestsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString LocalToolRequestsModel::text(const model::LocalToolRequest &request, int column) const
{
    switch (column) {
    case Time:
        return request.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Channel:
        return request.channel == model::LocalToolRequest::Channel::Agent ? tr("Agent")
                                                                          : tr("Managed identity");
    case Account:
        return request.username.isEmpty() ? request.accountId : request.username;
    case Scope:
        return request.scope;
    case Program:
        if (request.program.isEmpty())
            return request.pid > 0 ? tr("process %1").arg(request.pid) : tr("unknown");
        return request.pid > 0 ? tr("%1 (%2)").arg(request.program).arg(request.pid) : request.program;
    case Outcome:
        return request.served ? tr("Token given") : tr("Refused: %1").arg(request.error);
    default:
        return {};
    }
}

QVariant LocalToolRequestsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_requests.size())
        return {};
    const model::LocalToolRequest &request = m_requests[index.row()];
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole || role == Qt::AccessibleTextRole)
        return text(request, index.column());
    return {};
}

QVariant LocalToolRequestsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[ColumnCount] = {
        QT_TR_NOOP("Time"),  QT_TR_NOOP("Through"), QT_TR_NOOP("Account"),
        QT_TR_NOOP("Scope"), QT_TR_NOOP("Program"), QT_TR_NOOP("Result"),
    };
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

LocalToolsWindow::LocalToolsWindow(model::LocalTools &tools, QWidget *parent)
    : QWidget(parent, Qt::Window), m_tools(tools)
{
    setWindowTitle(tr("Served to local tools — Azid"));
    setObjectName(QStringLiteral("localToolsWindow"));
    auto *layout = new QVBoxLayout(this);
    auto *about = new QLabel(
        tr("Programs of yours that asked Azid for tokens: azid-cli and its kubectl, git and az helpers "
           "through the agent, Azure SDKs through an account's managed-identity endpoint. Tokens are "
           "never shown or kept here."),
        this);
    about->setWordWrap(true);
    about->setTextFormat(Qt::PlainText);
    layout->addWidget(about);
    m_serving = new QLabel(this);
    m_serving->setTextFormat(Qt::PlainText);
    m_serving->setWordWrap(true);
    m_serving->setObjectName(QStringLiteral("servingLabel"));
    layout->addWidget(m_serving);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("recentRequests"));
    m_table->setAccessibleName(tr("Recent requests"));
    m_table->setModel(&m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setTabKeyNavigation(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_table);

    m_model.setRequests(tools.recentRequests());
    connect(&tools, &model::LocalTools::requestServed, &m_model, &LocalToolRequestsModel::add);
    connect(&tools, &model::LocalTools::servingChanged, this, &LocalToolsWindow::updateServing);
    updateServing();
    resize(760, 420);
}

QString LocalToolsWindow::servingText() const
{
    return m_serving->text();
}

void LocalToolsWindow::updateServing()
{
    const QStringList served = m_tools.servedAccounts();
    QStringList lines;
    lines.append(m_tools.agent().isListening()
                     ? tr("The agent serves this profile's accounts on %1.").arg(m_tools.agent().socketPath())
                     : tr("The agent is not running in this window's Azid (another Azid or azid-cli agent "
                          "may serve instead)."));
    if (served.isEmpty())
        lines.append(tr("No account has a managed-identity endpoint. Turn on \"Serve to local tools\" "
                        "for an account in the Accounts window."));
    else
        lines.append(tr("Managed-identity endpoints: %n account(s). Use \"Copy shell environment\" on an "
                        "account, or run: eval \"$(azid-cli env)\"",
                        nullptr, int(served.size())));
    m_serving->setText(lines.join(QLatin1Char('\n')));
}

} // namespace azid::ui
