// Ink loads React's devtools only when DEV=true; ai-way never ships them. This stands in for the
// package at bundle time.
export default { initialize() {}, connectToDevTools() {} };
