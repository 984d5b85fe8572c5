// SPDX-License-Identifier: GPL-2.0
public class Hello {
	public static void Main() {
		System.Console.WriteLine("Hello");
	}
}
