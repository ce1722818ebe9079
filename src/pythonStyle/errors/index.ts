export { BoardNotFoundError, isBoardNotFoundError } from './BoardNotFoundError.js';
export { NoSubmissionError, isNoSubmissionError } from './NoSubmissionError.js';
