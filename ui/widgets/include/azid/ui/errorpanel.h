#pragma once

#include "azid/errors.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace azid::ui {

class CopyButton;

// An error as a person meets it: one statement of what happened and what to do, with a warning icon;
// the details (codes, correlation id, HTTP status) collapsed behind "Details", and "Copy details".
// Everything is plain text: messages come from servers.
class ErrorPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ErrorPanel(QWidget *parent = nullptr);

    void setError(const AuthError &error);
    void setError(const QString &summary, const QString &details);

    QString summary() const;
    QString details() const;
    bool detailsShown() const;
    void setDetailsShown(bool shown);

private:
    QLabel *m_summary;
    QToolButton *m_toggle;
    CopyButton *m_copy;
    QPlainTextEdit *m_details;
};

} // namespace azid::ui
