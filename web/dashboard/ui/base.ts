// Where the dashboard lives: every path of the app is under it (the server answers every
// /dashboard/* with the app). Its own module, free of the DOM, so pure modules and their unit
// tests can build paths without loading the router.
export const BASE = "/dashboard";
