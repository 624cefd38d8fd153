//! The teacher's report: what a stored game says about its questions and its players
//! (`analysis`, pure), and the same as an Excel workbook (`workbook`). Both read only a
//! [`GameReport`](crate::store::GameReport), so they work on every backend; the HTTP handlers
//! that serve them are in `http::report`.

pub mod analysis;
pub mod teams;
pub mod workbook;

pub use analysis::{
    analyse, answer_text, PlayerAnswer, PlayerLine, QuestionLine, TeacherReport,
    DEFAULT_NEED_HELP_BELOW, REVIEW_BELOW,
};
pub use workbook::{sheet_name, workbook, xlsx_file_name, MAX_PLAYER_SHEETS};

#[cfg(test)]
pub(crate) mod testing;
