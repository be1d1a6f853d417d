#pragma once

#include "azid/model/localtools.h"

#include <QAbstractTableModel>
#include <QWidget>

class QLabel;
class QTableView;

namespace azid::ui {

// The requests local programs made for tokens, newest first: when, through what (the agent or a
// managed-identity endpoint), which account, which scope, which program, and whether a token was
// given. Never the token itself.
class LocalToolRequestsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Channel, Account, Scope, Program, Outcome, ColumnCount };

    explicit LocalToolRequestsModel(QObject *parent = nullptr);

    void setRequests(const QList<model::LocalToolRequest> &requests);
    void add(const model::LocalToolRequest &request);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString text(const model::LocalToolRequest &request, int column) const;

    QList<model::LocalToolRequest> m_requests; // newest first
};

// "Served to local tools": what LocalTools served, live, and which accounts have a managed-identity
// endpoint. Opened from the tray menu and the accounts window.
class LocalToolsWindow : public QWidget
{
    Q_OBJECT
public:
    explicit LocalToolsWindow(model::LocalTools &tools, QWidget *parent = nullptr);

    LocalToolRequestsModel *requestsModel() { return &m_model; }
    QString servingText() const;

private:
    void updateServing();

    model::LocalTools &m_tools;
    LocalToolRequestsModel m_model;
    QLabel *m_serving = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace azid::ui
