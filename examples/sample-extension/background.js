chrome.runtime.onInstalled.addListener(() => console.log("edge-publish sample installed"));
