import { test, expect } from "@playwright/test";

// verifies S-4/AC-2
test("an expired reset link offers a new one", async ({ page }) => {
  await page.goto("/reset?token=expired-token");
  await expect(page.getByText("This link has expired")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send a new link" })).toBeVisible();
});
