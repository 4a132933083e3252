mod html_browser;
mod profile_diff;
mod profile_formats;
