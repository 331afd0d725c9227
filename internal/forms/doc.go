// Package forms is Waymark's questionnaire engine: it reads questionnaires
// written as XLSForms, evaluates them against answers on the server, and
// renders them as accessible HTML that works without JavaScript.
//
// # Reading a form
//
// ParseXLSX reads an .xlsx workbook; ParseText reads the same sheets
// written as text tables, so the questionnaires Waymark ships are
// reviewable text in git. Both hand their sheets to one builder, so a form
// gets the same model and the same checks whichever way it is written.
//
// Sheets: survey, choices, settings (any other sheet is refused).
//
// survey columns: type, name, label, hint, required, required_message,
// relevant, constraint, constraint_message, calculation, choice_filter,
// default, and appearance, which is accepted and ignored (it styles a
// question in ODK clients; Waymark has one look per type). label, hint,
// required_message and constraint_message may carry a language:
// label::English (en) or label::de. choices columns: list_name (or "list
// name"), name, label, and any column a choice_filter reads. settings
// columns: form_title, form_id, version, default_language.
//
// Types: text, integer, decimal, date, select_one <list>, select_multiple
// <list>, note, calculate, begin group / end group, begin repeat / end
// repeat (also written begin_group and so on).
//
// Which row takes which column: label every row but calculate (questions,
// notes and repeats need one); hint questions and notes; required,
// required_message, constraint, constraint_message and default questions
// (the messages only beside their expression); calculation calculate rows,
// which need one; choice_filter selects; relevant every row but an end
// row, which takes only its type, appearance and its group's name.
//
// Anything else is refused, never dropped: an unknown sheet, column,
// type or function, or_other, a list the choices sheet lacks, a reference
// to a name the form does not have, an expression that cannot be parsed,
// rows whose values depend on each other in a circle. Each refusal is an
// apperr.Validation field error (field "form") whose Args name the sheet,
// row (the header is row 1) and column; the text reader's own errors
// (a line that is no table row) name the file and line instead. Limits:
// MaxFileSize, MaxRows, MaxColumns, MaxCellLen, MaxExprLen, MaxDepth; an
// .xlsx may unpack to 16 MiB at most, so a zip bomb is refused.
//
// # The text format
//
// The text format is pyxform's Markdown tables. A line "| survey |" starts
// a sheet. The next table line, whose first cell is empty, holds the
// column headings; each line after it is one row of the sheet, numbered
// from 2 as in a spreadsheet. Blank lines and lines starting with # are
// skipped, as are Markdown rules such as |---|---|. Cells are trimmed; \|
// is a bar inside a cell. For example:
//
//	| survey   |
//	|          | type              | name  | label::English (en) | label::Deutsch (de) | relevant       |
//	|          | select_one yes_no | known | Known here?         | Hier bekannt?       |                |
//	|          | integer           | count | How many?           | Wie viele?          | ${known}='yes' |
//	| choices  |
//	|          | list_name         | name  | label::English (en) | label::Deutsch (de) |
//	|          | yes_no            | yes   | Yes                 | Ja                  |
//	|          | yes_no            | no    | No                  | Nein                |
//	| settings |
//	|          | form_id           | default_language |
//	|          | example           | en               |
//
// # Expressions
//
// relevant, required, constraint, calculation and choice_filter are
// expressions in the XPath subset XLSForm uses: ${name}, "." (the question
// itself, in a constraint), string and number literals, + - * div mod,
// = != < <= > >=, and, or, and the functions not, selected,
// count-selected, string-length, concat, if, coalesce, today, int, number,
// string, date, round, regex (Go's RE2 syntax, pattern in quotes, at most
// MaxRegexLen bytes), true, false, position(..) inside a repeat, count
// (of a repeat's instances or a field's values) and sum (of a field across
// a repeat's instances). A choice_filter may read the choice's columns by
// bare name (name, or a column of the choices sheet). required may also be
// yes or no. Labels, hints and choice labels show ${name} as the current
// value.
//
// Values are strings, numbers, booleans and dates, coerced as in XPath; a
// date compares and subtracts as a number of days. An empty answer, a
// division by zero or a type mismatch is "no value" (the empty string),
// never an error or a panic.
//
// # Answers and pages
//
// Answers hold each question's value as text and each repeat's instances.
// Form.Evaluate computes a State: the relevant items in order, in one
// language (falling back to the default language, the column without a
// language, then the first), with values, calculations and filtered
// choices. The "questionnaire" template (Templates) renders it inside the
// page's form; Form.Decode reads the posted form back into Answers and
// checks it. Inputs are named by the question ("age") and, inside a
// repeat, by the instance ("household[2]/age"); a repeat posts its count
// as "household:count". Buttons named ActionInput add or remove a repeat
// instance, or show the questions that follow from the answers so far;
// ReadAction recognises them and Form.Apply carries them out.
package forms
